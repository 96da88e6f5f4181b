# /etc/group 0644
chmod 0644 /etc/group
