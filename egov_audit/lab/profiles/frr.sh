# A router: FRRouting (zebra, staticd, bgpd) in the host's own network namespace, configured
# from the frr.conf the lab wrote beside the host; network administrators log in as `netops`,
# whose shell is vtysh (what Ansible's network_cli expects of a router).
. "$(dirname "$PROFILE")/common.sh"
FRR_CONF_TEXT=$(cat "$D/frr.conf")  # read now: the host's own view may not show the lab folder
customize() {
  sshd_set PermitRootLogin prohibit-password
  sshd_set PasswordAuthentication no
  sshd_set KbdInteractiveAuthentication no
  sshd_set AllowUsers "root netops"
  local vty
  vty=$(getent group frrvty | cut -d: -f3)
  echo "netops:x:1701:$vty:network operator:/home/netops:/usr/bin/vtysh" >>/etc/passwd
  echo 'netops:!:19800:0:99999:7:::' >>/etc/shadow
  mkdir -p /home/netops/.ssh
  cp /root/.ssh/authorized_keys /home/netops/.ssh/authorized_keys
  chown -R "1701:$vty" /home/netops
  chmod 700 /home/netops/.ssh
  chmod 600 /home/netops/.ssh/authorized_keys
  printf '%s\n' "$FRR_CONF_TEXT" >/etc/frr/frr.conf
  printf 'service integrated-vtysh-config\nhostname %s\n' "$NAME" >/etc/frr/vtysh.conf
  chown frr:frr /etc/frr/frr.conf
  chown frr:frrvty /etc/frr/vtysh.conf
  chmod 0751 /etc/frr  # vtysh (group frrvty) reads vtysh.conf; frr.conf stays frr's
  chmod 640 /etc/frr/frr.conf /etc/frr/vtysh.conf
  install -d -o frr -g frr -m 0755 /run/frr
  echo 1 >/proc/sys/net/ipv4/ip_forward  # this namespace's, not the machine's
  local daemon
  for daemon in zebra staticd bgpd; do
    "/usr/lib/frr/$daemon" -d -A 127.0.0.1 -i "/run/frr/$daemon.pid"
  done
  for _ in $(seq 100); do
    [ -S /run/frr/zebra.vty ] && [ -S /run/frr/bgpd.vty ] && [ -S /run/frr/staticd.vty ] && break
    sleep 0.05
  done
  vtysh -b >/var/log/frr-boot.log 2>&1
}
