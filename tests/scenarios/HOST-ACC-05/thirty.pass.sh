# INACTIVE=30
sed -i -E "/^#?[[:space:]]*INACTIVE=/d" /etc/default/useradd && echo "INACTIVE=30" >>/etc/default/useradd
