# two watch rules (the hardened profile)
true
