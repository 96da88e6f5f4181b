# pwquality.conf says 6, the PAM line says 12: PAM options win
sed -i -E "s/^minlen = .*/minlen = 6/" /etc/security/pwquality.conf
sed -i -E "s/pam_pwquality.so retry=3/pam_pwquality.so retry=3 minlen=12/" /etc/pam.d/common-password
