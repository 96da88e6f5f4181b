# X11Forwarding yes
sshd_set X11Forwarding yes
