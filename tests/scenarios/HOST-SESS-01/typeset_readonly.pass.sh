# TMOUT written with typeset -r (as several hardening guides do): 600 s, set
rm -f /etc/profile.d/tmout.sh
echo "typeset -r TMOUT=600" >/etc/profile.d/99-timeout.sh
