# /etc/ssh/sshd_config writable by everyone
chmod 0666 /etc/ssh/sshd_config
