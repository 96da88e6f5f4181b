# PasswordAuthentication yes
sshd_set PasswordAuthentication yes
