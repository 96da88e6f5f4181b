# minlen = 8: the level-3 limit itself
sed -i -E "s/^minlen = .*/minlen = 8/" /etc/security/pwquality.conf
