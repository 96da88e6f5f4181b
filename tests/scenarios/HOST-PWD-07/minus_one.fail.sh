# PASS_WARN_AGE -1: no warning
login_defs_set PASS_WARN_AGE -1
