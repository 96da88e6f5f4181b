# PASS_MAX_DAYS -1: passwords never expire
login_defs_set PASS_MAX_DAYS -1
