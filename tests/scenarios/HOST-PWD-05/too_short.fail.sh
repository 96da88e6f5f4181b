# pam_pwhistory remember=3 (under 5)
sed -i "s/remember=10/remember=3/" /etc/pam.d/common-password
