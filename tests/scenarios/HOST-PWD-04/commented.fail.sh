# the pam_pwquality line is commented out
sed -i "s/^password requisite pam_pwquality.so/# password requisite pam_pwquality.so/" /etc/pam.d/common-password
