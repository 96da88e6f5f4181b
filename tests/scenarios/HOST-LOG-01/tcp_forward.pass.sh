# rsyslog forwards over TCP (the hardened profile)
true
