# sshd runs with the old file; the file on disk was broken afterwards (sshd -T fails)
cp /etc/ssh/sshd_config /run/sshd_config.running
SSHD_CONFIG=/run/sshd_config.running
echo "ThisIsNotAnOption yes" >>/etc/ssh/sshd_config
