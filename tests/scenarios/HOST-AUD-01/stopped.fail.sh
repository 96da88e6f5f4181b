# auditd is not running
pkill -x auditd
