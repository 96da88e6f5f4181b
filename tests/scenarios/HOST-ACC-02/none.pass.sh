# no account with an empty password (the hardened profile)
true
