# a default account name (admin) with a login shell and a password
echo "admin:x:1502:1502::/home/admin:/bin/bash" >>/etc/passwd
echo "admin:\$6\$labsalt\$notarealhashnotarealhashnotarealhash:19800:0:99999:7:::" >>/etc/shadow
