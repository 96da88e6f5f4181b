# /etc/gshadow 0666
chmod 0666 /etc/gshadow
