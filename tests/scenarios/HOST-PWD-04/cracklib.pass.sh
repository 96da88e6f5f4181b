# pam_cracklib instead of pam_pwquality
sed -i "s/pam_pwquality.so/pam_cracklib.so/" /etc/pam.d/common-password
