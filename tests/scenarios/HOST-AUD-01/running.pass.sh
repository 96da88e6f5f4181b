# auditd runs (the hardened profile)
true
