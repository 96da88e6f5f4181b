# syslog-ng instead of rsyslog
pkill -x rsyslogd
daemon syslog-ng
