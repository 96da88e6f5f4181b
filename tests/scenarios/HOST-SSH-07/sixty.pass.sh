# LoginGraceTime 60: the limit itself
sshd_set LoginGraceTime 60
