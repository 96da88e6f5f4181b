# pam_pwhistory without remember=: its compiled-in default keeps the last 10
sed -i "s/ remember=10//" /etc/pam.d/common-password
