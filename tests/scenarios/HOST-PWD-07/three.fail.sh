# PASS_WARN_AGE 3 (under 7)
login_defs_set PASS_WARN_AGE 3
