# deny = 3
sed -i -E "s/^deny = .*/deny = 3/" /etc/security/faillock.conf
