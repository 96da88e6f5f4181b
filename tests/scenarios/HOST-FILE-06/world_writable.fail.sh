# /etc/group writable by everyone
chmod 0646 /etc/group
