# deny = 10: over the limit of 5
sed -i -E "s/^deny = .*/deny = 10/" /etc/security/faillock.conf
