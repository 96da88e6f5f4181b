# PASS_MAX_DAYS 99999, the distribution default: never expire
login_defs_set PASS_MAX_DAYS 99999
