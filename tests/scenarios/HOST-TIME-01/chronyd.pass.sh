# chronyd runs (the hardened profile)
true
