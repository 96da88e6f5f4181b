# PASS_MIN_DAYS 1
login_defs_set PASS_MIN_DAYS 1
