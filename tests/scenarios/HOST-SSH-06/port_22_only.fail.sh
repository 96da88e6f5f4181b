# Port 22 instead of 2222
sshd_set Port 22
