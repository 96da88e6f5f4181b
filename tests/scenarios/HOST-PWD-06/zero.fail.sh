# PASS_MIN_DAYS 0: a password can be changed back at once
login_defs_set PASS_MIN_DAYS 0
