# a telnet service in xinetd, disabled
mkdir -p /etc/xinetd.d && printf "service telnet\n{\n\tdisable = yes\n}\n" >/etc/xinetd.d/telnet
