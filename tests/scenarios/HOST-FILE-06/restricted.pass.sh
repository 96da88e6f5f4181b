# /etc/group 0640
chmod 0640 /etc/group
