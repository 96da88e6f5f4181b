# oracle exists (a database install) but is locked
echo "oracle:x:1603:1603::/home/oracle:/bin/bash" >>/etc/passwd
echo "oracle:!:19800:0:99999:7:::" >>/etc/shadow
