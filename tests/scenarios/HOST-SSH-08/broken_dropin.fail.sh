# a drop-in with an invalid value, written after sshd started (it runs without the drop-in)
cp /etc/ssh/sshd_config /run/sshd_config.running
sed -i "/^Include/Id" /run/sshd_config.running
SSHD_CONFIG=/run/sshd_config.running
grep -q "^Include /etc/ssh/sshd_config.d/\*.conf" /etc/ssh/sshd_config || sed -i "1i Include /etc/ssh/sshd_config.d/*.conf" /etc/ssh/sshd_config
mkdir -p /etc/ssh/sshd_config.d && echo "MaxAuthTries many" >/etc/ssh/sshd_config.d/50-bad.conf
