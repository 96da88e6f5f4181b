# /etc/shadow 0400
chmod 0400 /etc/shadow
