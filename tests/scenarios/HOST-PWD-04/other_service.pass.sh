# pam_pwquality in the passwd service instead of common-password
sed -i "/pam_pwquality.so/d" /etc/pam.d/common-password
sed -i "1i password requisite pam_pwquality.so retry=3" /etc/pam.d/passwd
