# telnet enabled in inetd.conf
echo "telnet stream tcp nowait root /usr/sbin/tcpd /usr/sbin/in.telnetd" >>/etc/inetd.conf
