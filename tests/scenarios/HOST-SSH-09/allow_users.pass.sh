# AllowUsers root (the hardened profile)
true
