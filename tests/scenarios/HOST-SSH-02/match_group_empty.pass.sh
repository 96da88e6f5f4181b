# a Match block for a group nobody is in: it allows passwords to no one
echo "sshpw:x:4242:" >>/etc/group
printf "Match Group sshpw\n    PasswordAuthentication yes\n" >>/etc/ssh/sshd_config
