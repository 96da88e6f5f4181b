# an unknown keyword inside a Match block, written after sshd started
cp /etc/ssh/sshd_config /run/sshd_config.running
SSHD_CONFIG=/run/sshd_config.running
printf "Match User backup\n    NotAKeyword yes\n" >>/etc/ssh/sshd_config
