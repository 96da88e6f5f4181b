# pam_pwhistory remember=10 (the hardened profile)
true
