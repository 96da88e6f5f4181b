# chrony with a server line (the hardened profile)
true
