# admin has a password but no login shell
echo "admin:x:1502:1502::/home/admin:/usr/sbin/nologin" >>/etc/passwd
echo "admin:\$6\$labsalt\$notarealhashnotarealhashnotarealhash:19800:0:99999:7:::" >>/etc/shadow
