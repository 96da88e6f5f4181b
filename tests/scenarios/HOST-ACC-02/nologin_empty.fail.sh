# an empty password on an account without a shell: still an empty password
echo "dichvu:x:1601:1601::/nonexistent:/usr/sbin/nologin" >>/etc/passwd
echo "dichvu::19800:0:99999:7:::" >>/etc/shadow
