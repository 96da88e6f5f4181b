# "PASS_MAX_DAYS 90 # quarterly": shadow-utils reads the comment as part of the value, cannot parse it and uses -1 (never)
sed -i -E "s/^PASS_MAX_DAYS.*/PASS_MAX_DAYS\t90 # quarterly/" /etc/login.defs
