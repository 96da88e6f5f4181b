# no insecure service (the hardened profile)
true
