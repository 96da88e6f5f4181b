# weekly, rotate 13, but maxage 30 deletes rotated logs after 30 days
sed -i "s/rotate 13/rotate 13\n\tmaxage 30/" /etc/logrotate.d/rsyslog
