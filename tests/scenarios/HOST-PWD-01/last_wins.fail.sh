# login.defs read to the end: the later 99999 replaces 60
login_defs_set PASS_MAX_DAYS 60
echo "PASS_MAX_DAYS 99999" >>/etc/login.defs
