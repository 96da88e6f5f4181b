# 600 s x 1: cut after 10 minutes idle
sshd_set ClientAliveInterval 600
sshd_set ClientAliveCountMax 1
