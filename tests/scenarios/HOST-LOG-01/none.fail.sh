# no forwarding: logs stay on the host
rm -f /etc/rsyslog.d/50-forward.conf
