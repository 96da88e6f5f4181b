# /etc/shadow 0640 (the hardened profile)
true
