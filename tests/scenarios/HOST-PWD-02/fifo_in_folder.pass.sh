# a FIFO among the pwquality.conf.d files (on a compromised host): the scan must not wait on it; pwquality.conf's 14 stands
mkdir -p /etc/security/pwquality.conf.d && mkfifo /etc/security/pwquality.conf.d/50-pipe.conf
