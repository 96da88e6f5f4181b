# PermitRootLogin without-password (the older name of prohibit-password): keys only
sshd_set PermitRootLogin without-password
