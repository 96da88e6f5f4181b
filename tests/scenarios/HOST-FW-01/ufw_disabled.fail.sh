# ufw installed but disabled
printf "ENABLED=no\n" >/etc/ufw/ufw.conf
