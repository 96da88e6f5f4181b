# PermitEmptyPasswords no, written
sshd_set PermitEmptyPasswords no
