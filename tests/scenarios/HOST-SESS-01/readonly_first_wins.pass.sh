# readonly 600 first, then an application script tries 3600: it fails, the shell keeps 600
rm -f /etc/profile.d/tmout.sh
echo "readonly TMOUT=600" >/etc/profile.d/10-hardening.sh
echo "TMOUT=3600" >/etc/profile.d/90-app.sh
