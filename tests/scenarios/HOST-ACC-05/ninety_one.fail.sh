# INACTIVE=91: over the 90-day limit
sed -i -E "/^#?[[:space:]]*INACTIVE=/d" /etc/default/useradd && echo "INACTIVE=91" >>/etc/default/useradd
