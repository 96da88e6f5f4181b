# PermitRootLogin prohibit-password globally, but yes (passwords too) for connections from 10.0.0.0/8
printf "Match Address 10.0.0.0/8\n    PermitRootLogin yes\n" >>/etc/ssh/sshd_config
