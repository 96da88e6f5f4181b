# /etc/shadow 0600
chmod 0600 /etc/shadow
