# PASS_WARN_AGE 7
login_defs_set PASS_WARN_AGE 7
