# no faillock.conf at all; the PAM line itself says deny=4
rm /etc/security/faillock.conf
sed -i -E "s/pam_faillock.so preauth/pam_faillock.so preauth deny=4/" /etc/pam.d/common-auth
