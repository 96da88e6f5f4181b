# pwquality.conf is written, but no PAM stack uses pam_pwquality
sed -i "/pam_pwquality.so/d" /etc/pam.d/common-password
