# pam_pwhistory remember=5: the level-3 limit itself
sed -i "s/remember=10/remember=5/" /etc/pam.d/common-password
