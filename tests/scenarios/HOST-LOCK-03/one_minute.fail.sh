# unlock_time = 60: locked for one minute only
sed -i -E "s/^unlock_time = .*/unlock_time = 60/" /etc/security/faillock.conf
