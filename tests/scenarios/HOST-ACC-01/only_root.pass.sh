# root is the only uid 0 (the hardened profile)
true
