# /etc/passwd 0644
chmod 0644 /etc/passwd
