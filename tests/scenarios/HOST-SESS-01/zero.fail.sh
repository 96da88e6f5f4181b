# TMOUT=0 disables the timeout
echo "readonly TMOUT=0" >/etc/profile.d/tmout.sh
