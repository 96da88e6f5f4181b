# not written: OpenSSH default prohibit-password (allowed at TCVN 11930 level 3)
sed -i -E "/^PermitRootLogin/Id" /etc/ssh/sshd_config
rm -f /etc/ssh/sshd_config.d/*.conf
