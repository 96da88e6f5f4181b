# PermitRootLogin prohibit-password: root with a key only (allowed at TCVN 11930 level 3)
sshd_set PermitRootLogin prohibit-password
