# minlen = 6 in pwquality.conf (under 8)
sed -i -E "s/^minlen = .*/minlen = 6/" /etc/security/pwquality.conf
