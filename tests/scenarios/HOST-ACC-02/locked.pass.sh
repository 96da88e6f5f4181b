# a new account, locked (no password yet): not an empty password
echo "moi:x:1501:1501::/home/moi:/bin/bash" >>/etc/passwd
echo "moi:!:19800:0:99999:7:::" >>/etc/shadow
