# pwquality.conf says 2, the PAM line says 3
sed -i -E "s/^minclass = .*/minclass = 2/" /etc/security/pwquality.conf
sed -i -E "s/pam_pwquality.so retry=3/pam_pwquality.so retry=3 minclass=3/" /etc/pam.d/common-password
