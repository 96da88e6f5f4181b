# the rsyslog block says no rotate count; "rotate 52" comes after the include in logrotate.conf: the block keeps rotate 4 (35 days)
sed -i "/rotate 13/d" /etc/logrotate.d/rsyslog
echo "rotate 52" >>/etc/logrotate.conf
