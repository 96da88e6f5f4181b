# INACTIVE=30, then "INACTIVE=45days": useradd refuses the second and keeps 30
echo "INACTIVE=45days" >>/etc/default/useradd
