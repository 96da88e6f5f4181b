# MaxAuthTries 5: the limit itself
sshd_set MaxAuthTries 5
