# pam_faillock with deny = 5 (the hardened profile)
true
