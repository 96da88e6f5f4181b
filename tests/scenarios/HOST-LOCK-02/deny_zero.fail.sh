# deny = 0: accounts are never locked
sed -i -E "s/^deny = .*/deny = 0/" /etc/security/faillock.conf
