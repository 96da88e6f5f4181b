# X11Forwarding no, written
sshd_set X11Forwarding no
