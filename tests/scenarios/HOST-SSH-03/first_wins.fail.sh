# two lines: sshd takes the first (10), not the later 3
sed -i "1i MaxAuthTries 10" /etc/ssh/sshd_config
