# the main file says nothing; a drop-in sets 120: sshd uses 120
sed -i -E "/^LoginGraceTime/Id" /etc/ssh/sshd_config
grep -q "^Include /etc/ssh/sshd_config.d/\*.conf" /etc/ssh/sshd_config || sed -i "1i Include /etc/ssh/sshd_config.d/*.conf" /etc/ssh/sshd_config
mkdir -p /etc/ssh/sshd_config.d && echo "LoginGraceTime 120" >/etc/ssh/sshd_config.d/50-grace.conf
