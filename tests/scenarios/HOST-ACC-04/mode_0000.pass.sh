# /etc/shadow mode 0000 (some guides do this): root, who audits, still reads it
chmod 0000 /etc/shadow
