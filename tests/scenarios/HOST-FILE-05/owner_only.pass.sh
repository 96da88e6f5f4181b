# /etc/sudoers 0400
chmod 0400 /etc/sudoers
