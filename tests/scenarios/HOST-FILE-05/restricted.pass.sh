# /etc/sudoers 0440 (the hardened profile)
true
