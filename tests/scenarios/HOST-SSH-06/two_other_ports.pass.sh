# two ports, neither 22
echo "Port 2200" >>/etc/ssh/sshd_config
