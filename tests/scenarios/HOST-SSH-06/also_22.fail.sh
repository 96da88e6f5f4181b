# a second Port 22 line: sshd also listens on the default port
echo "Port 22" >>/etc/ssh/sshd_config
