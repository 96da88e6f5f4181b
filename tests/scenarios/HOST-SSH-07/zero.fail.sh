# LoginGraceTime 0 means no time limit to log in
sshd_set LoginGraceTime 0
