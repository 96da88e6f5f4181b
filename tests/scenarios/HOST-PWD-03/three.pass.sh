# minclass = 3: the level-3 limit itself
sed -i -E "s/^minclass = .*/minclass = 3/" /etc/security/pwquality.conf
