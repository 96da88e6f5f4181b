# two lines: sshd takes the first (yes), not the later prohibit-password
sed -i "1i PermitRootLogin yes" /etc/ssh/sshd_config
