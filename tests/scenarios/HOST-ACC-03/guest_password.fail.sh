# guest with a login shell and a password
echo "guest:x:1602:1602::/home/guest:/bin/sh" >>/etc/passwd
echo "guest:\$6\$labsalt\$notarealhashnotarealhashnotarealhash:19800:0:99999:7:::" >>/etc/shadow
