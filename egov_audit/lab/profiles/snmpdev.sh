# A UPS or server-room sensor with a network card: Net-SNMP's snmpd in the host's own network
# namespace, SNMPv3 only (one user, SHA-256 authentication, AES privacy; no community at all),
# serving UPS-MIB and ENTITY-SENSOR-MIB from the values the lab wrote beside the host
# (egov_audit/lab/facility/mib.py, pass_persist, read-only). Its mode makes it a fault: silent
# (every SNMP packet dropped by this namespace's firewall: a timeout), garbage (something else
# answers on port 161 with bytes that are no SNMP).
. "$(dirname "$PROFILE")/common.sh"
SNMP_VALUES_TEXT=$(cat "$D/mib.txt")  # read now: the host's own view may not show the lab folder
SNMP_MODE=$(cat "$D/mode")
SNMP_USER_LINE=$(cat "$D/snmp-user")  # createUser NAME SHA-256 "..." AES "..."
MIB_PY_TEXT=$(cat "$(dirname "$PROFILE")/../facility/mib.py")
customize() {
  sshd_set PermitRootLogin prohibit-password
  sshd_set PasswordAuthentication no
  install -d -m 0700 /etc/egov-lab /var/lib/egov-lab/snmp
  printf '%s\n' "$MIB_PY_TEXT" >/etc/egov-lab/mib.py
  printf '%s\n' "$SNMP_VALUES_TEXT" >/etc/egov-lab/mib.txt
  printf '#!/bin/sh\nexec /usr/bin/python3 /etc/egov-lab/mib.py /etc/egov-lab/mib.txt\n' \
    >/etc/egov-lab/mib.sh
  chmod 0700 /etc/egov-lab/mib.sh
  {
    printf '%s\n' "$SNMP_USER_LINE"
    echo "rouser -s usm $(echo "$SNMP_USER_LINE" | cut -d' ' -f2) priv"
    for tree in .1.3.6.1.2.1.33 .1.3.6.1.2.1.99 .1.3.6.1.2.1.47; do
      echo "pass_persist $tree /etc/egov-lab/mib.sh"
    done
  } >/etc/egov-lab/snmpd.conf
  chmod 0600 /etc/egov-lab/snmpd.conf
  case "$SNMP_MODE" in
    silent)
      nft add table inet egovlab
      nft add chain inet egovlab input '{ type filter hook input priority 0; policy accept; }'
      nft add rule inet egovlab input udp dport 161 drop
      ;;
    garbage)
      (exec -a snmpd /usr/bin/python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], 161))
while True:
    data, peer = s.recvfrom(65535)
    s.sendto(b"\x30\x82\xff\xff garbage, not SNMP \x00\x01\x02" * 3, peer)
' "$IP" </dev/null >/dev/null 2>&1 &)
      return 0
      ;;
  esac
  SNMP_PERSISTENT_DIR=/var/lib/egov-lab/snmp MIBS= /usr/sbin/snmpd -Lf /var/log/snmpd.log -C \
    -c /etc/egov-lab/snmpd.conf -p /run/snmpd.pid "udp:$IP:161"
}
