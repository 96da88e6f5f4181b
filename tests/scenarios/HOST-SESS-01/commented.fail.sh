# only a commented TMOUT: no timeout at all
rm -f /etc/profile.d/tmout.sh
echo "# readonly TMOUT=600" >/etc/profile.d/tmout.sh
