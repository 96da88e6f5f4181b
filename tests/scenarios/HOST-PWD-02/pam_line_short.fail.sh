# pwquality.conf says 14, but the PAM line overrides it with 6
sed -i -E "s/pam_pwquality.so retry=3/pam_pwquality.so retry=3 minlen=6/" /etc/pam.d/common-password
