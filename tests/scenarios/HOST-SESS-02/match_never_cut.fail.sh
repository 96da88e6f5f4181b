# ClientAliveInterval 0 in a Match block: idle sessions of that user are never cut
printf "Match User nobody\n    ClientAliveInterval 0\n" >>/etc/ssh/sshd_config
