# a commented "PasswordAuthentication yes" under the real no
sshd_set PasswordAuthentication no
echo "#PasswordAuthentication yes" >>/etc/ssh/sshd_config
