# yes on the first line, no further down: sshd takes yes
sed -i "1i PermitEmptyPasswords yes" /etc/ssh/sshd_config
