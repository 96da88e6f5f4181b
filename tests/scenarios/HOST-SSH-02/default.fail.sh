# not written anywhere: sshd default yes
sed -i -E "/^PasswordAuthentication/Id" /etc/ssh/sshd_config
rm -f /etc/ssh/sshd_config.d/*.conf
