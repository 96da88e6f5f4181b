# history kept by pam_unix remember=5 (the level-3 minimum)
sed -i "/pam_pwhistory.so/d" /etc/pam.d/common-password
sed -i -E "s/(pam_unix.so.*)$/\1 remember=5/" /etc/pam.d/common-password
