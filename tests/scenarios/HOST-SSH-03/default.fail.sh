# not written: sshd default 6 (over 5)
sed -i -E "/^MaxAuthTries/Id" /etc/ssh/sshd_config
rm -f /etc/ssh/sshd_config.d/*.conf
