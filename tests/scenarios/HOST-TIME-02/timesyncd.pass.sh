# servers in timesyncd.conf instead
printf "driftfile /var/lib/chrony/chrony.drift\n" >/etc/chrony/chrony.conf
mkdir -p /etc/systemd && printf "[Time]\nNTP=ntp.song-lam.example\n" >/etc/systemd/timesyncd.conf
