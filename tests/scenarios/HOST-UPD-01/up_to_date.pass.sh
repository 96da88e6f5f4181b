# no pending update (the hardened profile)
true
