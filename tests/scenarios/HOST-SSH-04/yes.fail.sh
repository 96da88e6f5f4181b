# PermitEmptyPasswords yes
sshd_set PermitEmptyPasswords yes
