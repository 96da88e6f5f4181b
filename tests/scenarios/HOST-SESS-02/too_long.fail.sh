# 600 s x 3 = 30 minutes before an idle session is cut (over 15)
sshd_set ClientAliveInterval 600
sshd_set ClientAliveCountMax 3
