# PasswordAuthentication no, written once
sshd_set PasswordAuthentication no
