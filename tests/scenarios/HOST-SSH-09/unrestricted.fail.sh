# neither AllowUsers nor AllowGroups: every account may try
sed -i -E "/^(AllowUsers|AllowGroups)/Id" /etc/ssh/sshd_config
