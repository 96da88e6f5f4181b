# a Match block allows only 2 for one user: stricter than the global 3
printf "Match User nobody\n    MaxAuthTries 2\n" >>/etc/ssh/sshd_config
