# AllowUsers with two accounts
sed -i -E "/^AllowUsers/Id" /etc/ssh/sshd_config
sed -i "1i AllowUsers root quantri" /etc/ssh/sshd_config
