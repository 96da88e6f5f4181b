# an account whose password field is empty: no password to log in
echo "kiemtra:x:1500:1500::/home/kiemtra:/bin/bash" >>/etc/passwd
echo "kiemtra::19800:0:99999:7:::" >>/etc/shadow
