# 7, then a later PASS_WARN_AGE 0 in the same file: the last one counts
login_defs_set PASS_WARN_AGE 7
echo "PASS_WARN_AGE 0" >>/etc/login.defs
