# no password history anywhere
sed -i "/pam_pwhistory.so/d" /etc/pam.d/common-password
