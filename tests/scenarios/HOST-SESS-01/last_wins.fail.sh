# 600 then 3600, neither readonly: the login shell ends with 3600 (over the 900 s limit)
rm -f /etc/profile.d/tmout.sh
echo "export TMOUT=600" >/etc/profile.d/10-hardening.sh
echo "TMOUT=3600" >/etc/profile.d/90-app.sh
