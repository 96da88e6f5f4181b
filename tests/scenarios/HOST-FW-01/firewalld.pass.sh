# firewalld runs instead of ufw
printf "ENABLED=no\n" >/etc/ufw/ufw.conf
daemon firewalld
