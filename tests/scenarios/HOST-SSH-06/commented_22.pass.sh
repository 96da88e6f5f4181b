# a commented "Port 22" is not a port
echo "#Port 22" >>/etc/ssh/sshd_config
