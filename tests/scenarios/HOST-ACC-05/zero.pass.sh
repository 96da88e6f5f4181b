# INACTIVE=0: disabled as soon as the password expires
sed -i -E "/^#?[[:space:]]*INACTIVE=/d" /etc/default/useradd && echo "INACTIVE=0" >>/etc/default/useradd
