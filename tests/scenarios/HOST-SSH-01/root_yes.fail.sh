# PermitRootLogin yes: root may log in with a password
sshd_set PermitRootLogin yes
