# a valid drop-in
grep -q "^Include /etc/ssh/sshd_config.d/\*.conf" /etc/ssh/sshd_config || sed -i "1i Include /etc/ssh/sshd_config.d/*.conf" /etc/ssh/sshd_config
mkdir -p /etc/ssh/sshd_config.d
echo "MaxSessions 4" >/etc/ssh/sshd_config.d/50-sessions.conf
