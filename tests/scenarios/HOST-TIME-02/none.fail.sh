# no time source configured
printf "driftfile /var/lib/chrony/chrony.drift\n" >/etc/chrony/chrony.conf
