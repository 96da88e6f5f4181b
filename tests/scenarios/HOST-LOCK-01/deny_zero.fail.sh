# pam_faillock in PAM, but deny = 0: never locks
sed -i -E "s/^deny = .*/deny = 0/" /etc/security/faillock.conf
