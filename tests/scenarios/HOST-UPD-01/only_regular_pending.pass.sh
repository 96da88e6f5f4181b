# a regular update waits, no security update
mkdir -p /usr/local/lab-bin
printf "#!/bin/sh\necho \"Inst tzdata [2024a-0+deb12u1] (2025b-0+deb12u1 Debian:12.11/stable [all])\"\n" >/usr/local/lab-bin/apt-get
chmod 755 /usr/local/lab-bin/apt-get
mount --bind /usr/local/lab-bin/apt-get /usr/bin/apt-get
