# ClientAliveCountMax 0: the idle check never cuts a session
sshd_set ClientAliveCountMax 0
