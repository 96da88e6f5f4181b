# not written: sshd default no
sed -i -E "/^PermitEmptyPasswords/Id" /etc/ssh/sshd_config
rm -f /etc/ssh/sshd_config.d/*.conf
