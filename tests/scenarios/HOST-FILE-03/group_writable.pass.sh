# /etc/passwd 0664: group-writable is not world-writable
chmod 0664 /etc/passwd
