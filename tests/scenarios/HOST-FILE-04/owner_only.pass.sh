# /etc/ssh/sshd_config 0600 (the hardened profile)
true
