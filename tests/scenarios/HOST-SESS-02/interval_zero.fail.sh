# ClientAliveInterval 0 disables the check
sshd_set ClientAliveInterval 0
