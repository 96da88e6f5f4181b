# DenyUsers alone restricts nobody else: every other account may try
sed -i -E "/^(AllowUsers|AllowGroups)/Id" /etc/ssh/sshd_config
sed -i "1i DenyUsers guest" /etc/ssh/sshd_config
