# /etc/passwd writable by everyone
chmod 0666 /etc/passwd
