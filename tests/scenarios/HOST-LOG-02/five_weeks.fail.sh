# weekly, rotate 4: 35 days (under 90)
sed -i "s/rotate 13/rotate 4/" /etc/logrotate.d/rsyslog
