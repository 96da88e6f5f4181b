# a drop-in says yes, but the main file's no comes first (sshd takes the first)
grep -q "^Include /etc/ssh/sshd_config.d/\*.conf" /etc/ssh/sshd_config || sed -i "1i Include /etc/ssh/sshd_config.d/*.conf" /etc/ssh/sshd_config
mkdir -p /etc/ssh/sshd_config.d
echo "PasswordAuthentication yes" >/etc/ssh/sshd_config.d/50-pw.conf
sed -i "1i PasswordAuthentication no" /etc/ssh/sshd_config
