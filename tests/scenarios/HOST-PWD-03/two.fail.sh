# minclass = 2 (under 3)
sed -i -E "s/^minclass = .*/minclass = 2/" /etc/security/pwquality.conf
