# /etc/login.defs is a folder: nothing is read from it, PASS_WARN_AGE is shadow-utils' default -1 (no warning)
rm /etc/login.defs && mkdir /etc/login.defs
