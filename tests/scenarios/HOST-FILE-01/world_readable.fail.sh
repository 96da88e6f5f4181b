# /etc/shadow readable by everyone
chmod 0644 /etc/shadow
