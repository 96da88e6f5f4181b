# INACTIVE=-1: accounts are never disabled after their password expires
sed -i -E "/^#?[[:space:]]*INACTIVE=/d" /etc/default/useradd && echo "INACTIVE=-1" >>/etc/default/useradd
