# daily, rotate 120
printf "/var/log/syslog\n/var/log/auth.log\n{\n\tdaily\n\trotate 120\n}\n" >/etc/logrotate.d/rsyslog
