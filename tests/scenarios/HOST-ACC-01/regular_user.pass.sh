# a new regular account (uid 1600): not uid 0
echo "nhanvien:x:1600:1600::/home/nhanvien:/bin/bash" >>/etc/passwd
echo "nhanvien:!:19800:0:99999:7:::" >>/etc/shadow
