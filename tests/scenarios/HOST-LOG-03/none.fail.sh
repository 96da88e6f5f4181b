# no log daemon runs
pkill -x rsyslogd
