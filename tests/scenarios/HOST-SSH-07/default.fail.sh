# not written anywhere: sshd default 120 s
sed -i -E "/^LoginGraceTime/Id" /etc/ssh/sshd_config
rm -f /etc/ssh/sshd_config.d/*.conf
