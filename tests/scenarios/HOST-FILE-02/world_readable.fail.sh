# /etc/gshadow readable by everyone
chmod 0644 /etc/gshadow
