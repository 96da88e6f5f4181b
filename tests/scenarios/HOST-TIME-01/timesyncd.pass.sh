# systemd-timesyncd instead of chrony
pkill -x chronyd
daemon systemd-timesyncd
