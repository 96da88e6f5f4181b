# YESCRYPT, then a later MD5 line: the last one counts
login_defs_set ENCRYPT_METHOD YESCRYPT
echo "ENCRYPT_METHOD MD5" >>/etc/login.defs
