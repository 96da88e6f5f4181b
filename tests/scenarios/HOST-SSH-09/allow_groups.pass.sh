# AllowGroups instead of AllowUsers
sed -i -E "/^AllowUsers/Id" /etc/ssh/sshd_config
sed -i "1i AllowGroups root" /etc/ssh/sshd_config
