# 120 on the first line, 30 further down: sshd takes 120
sed -i "1i LoginGraceTime 120" /etc/ssh/sshd_config
