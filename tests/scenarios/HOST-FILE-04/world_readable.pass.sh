# /etc/ssh/sshd_config 0644: readable is not writable
chmod 0644 /etc/ssh/sshd_config
