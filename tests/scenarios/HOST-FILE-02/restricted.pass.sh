# /etc/gshadow 0640 (the hardened profile)
true
