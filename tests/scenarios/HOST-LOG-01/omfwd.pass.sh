# RainerScript forwarding (action omfwd)
rm -f /etc/rsyslog.d/50-forward.conf
echo "action(type=\"omfwd\" target=\"10.20.90.20\" port=\"514\" protocol=\"tcp\")" >/etc/rsyslog.d/60-omfwd.conf
