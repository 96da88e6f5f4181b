# minclass = 4 (the hardened profile)
true
