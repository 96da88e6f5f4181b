# ufw enabled (the hardened profile)
true
