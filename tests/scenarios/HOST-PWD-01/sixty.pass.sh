# PASS_MAX_DAYS 60, under the 90-day limit
login_defs_set PASS_MAX_DAYS 60
