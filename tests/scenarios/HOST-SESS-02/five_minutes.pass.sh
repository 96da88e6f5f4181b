# 300 s x 1: cut after 5 minutes idle
sshd_set ClientAliveInterval 300
sshd_set ClientAliveCountMax 1
