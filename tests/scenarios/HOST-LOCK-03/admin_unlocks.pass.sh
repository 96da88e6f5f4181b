# unlock_time = 0: only an administrator unlocks
sed -i -E "s/^unlock_time = .*/unlock_time = 0/" /etc/security/faillock.conf
