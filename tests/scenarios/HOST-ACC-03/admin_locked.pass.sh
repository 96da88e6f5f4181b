# admin exists but is locked
echo "admin:x:1502:1502::/home/admin:/bin/bash" >>/etc/passwd
echo "admin:!:19800:0:99999:7:::" >>/etc/shadow
