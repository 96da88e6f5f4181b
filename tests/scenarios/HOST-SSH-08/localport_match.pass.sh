# a valid Match LocalPort block: bare sshd -T refuses to print it without a connection, yet the configuration is valid
printf "Match LocalPort 2200\n    X11Forwarding no\n" >>/etc/ssh/sshd_config
