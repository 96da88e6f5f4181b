# PASS_MIN_DAYS -1: no minimum
login_defs_set PASS_MIN_DAYS -1
