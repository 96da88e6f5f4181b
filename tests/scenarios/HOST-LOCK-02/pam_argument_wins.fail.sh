# faillock.conf says deny = 5, the PAM line says deny=10: the module's arguments win
sed -i -E "s/pam_faillock.so preauth/pam_faillock.so preauth deny=10/" /etc/pam.d/common-auth
