# PASS_MAX_DAYS 90: the limit itself
login_defs_set PASS_MAX_DAYS 90
