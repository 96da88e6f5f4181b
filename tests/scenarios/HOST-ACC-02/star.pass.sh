# a service account with * (no password can match)
echo "dichvu:x:1601:1601::/nonexistent:/usr/sbin/nologin" >>/etc/passwd
echo "dichvu:*:19800:0:99999:7:::" >>/etc/shadow
