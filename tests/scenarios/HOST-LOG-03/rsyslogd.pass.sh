# rsyslogd runs (the hardened profile)
true
