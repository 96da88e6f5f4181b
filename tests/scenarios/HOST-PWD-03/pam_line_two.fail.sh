# pwquality.conf says 4, but the PAM line overrides it with 2
sed -i -E "s/pam_pwquality.so retry=3/pam_pwquality.so retry=3 minclass=2/" /etc/pam.d/common-password
