# PASS_MIN_DAYS 7
login_defs_set PASS_MIN_DAYS 7
