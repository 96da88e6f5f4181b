# PASS_MIN_DAYS commented out: no minimum
sed -i -E "s/^PASS_MIN_DAYS/#PASS_MIN_DAYS/" /etc/login.defs
