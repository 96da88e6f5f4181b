# INACTIVE not set: never disabled
sed -i -E "/^#?[[:space:]]*INACTIVE=/d" /etc/default/useradd
