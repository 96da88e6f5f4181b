# pwquality.conf is a folder (unreadable as a file); the PAM line itself says minclass=4
rm /etc/security/pwquality.conf && mkdir /etc/security/pwquality.conf
sed -i -E "s/pam_pwquality.so retry=3/pam_pwquality.so retry=3 minclass=4/" /etc/pam.d/common-password
