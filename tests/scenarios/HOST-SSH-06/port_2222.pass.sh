# sshd on 2222 only (the hardened profile)
true
