# the hardened sshd_config, valid
true
