# pam_pwquality in common-password (the hardened profile)
true
