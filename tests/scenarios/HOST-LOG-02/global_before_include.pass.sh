# the rsyslog block says no rotate count; "rotate 26" before the include applies to it (27 weeks)
sed -i "/rotate 13/d" /etc/logrotate.d/rsyslog
sed -i "s/^rotate 4/rotate 26/" /etc/logrotate.conf
