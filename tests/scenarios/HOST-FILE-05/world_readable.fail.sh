# /etc/sudoers readable by everyone
chmod 0444 /etc/sudoers
