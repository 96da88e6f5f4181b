#!/bin/bash
# egov-audit lab host: runs as PID 1 of fresh mount, UTS, IPC and PID namespaces (unshare).
# The host sees a copy-on-write view of the machine's root filesystem (overlay on a tmpfs that
# vanishes with it), its own /root, /run, /tmp, hostname, machine-id and SSH host key; its
# profile customises it; then sshd becomes PID 1 and listens on the host's loopback address.
# Adapted from shared/testhosts/setup.sh.
set -euo pipefail
NAME=$1 IP=$2 PORT=$3 D=$4 PROFILE=$5 NETNS=${6:-0} SCENARIO=${7:-} BINDS=${8:-}
if [ "$NETNS" = 1 ]; then  # its own network namespace: the lab wires a veth pair into it
  for _ in $(seq 200); do ip -o -4 address show | grep -q " $IP/" && break; sleep 0.05; done
fi
SSHD_CONFIG=/etc/ssh/sshd_config
customize() { :; }
# shellcheck source=/dev/null
. "$PROFILE"
# a scenario (tests/scenarios/<CONTROL>/<name>.{pass,fail}.sh) puts the host into one state
# after its profile; read now, before the host's own /tmp hides the file
SCENARIO_TEXT=""
if [ -n "$SCENARIO" ]; then SCENARIO_TEXT=$(cat "$SCENARIO"); fi
mount --make-rprivate /
mount -t tmpfs -o mode=0755,size=512m "egov-lab-$NAME-cow" "$D/cow"
mkdir "$D/cow/upper" "$D/cow/work" "$D/cow/merged"
M=$D/cow/merged
mount -t overlay "egov-lab-$NAME" -o "lowerdir=/,upperdir=$D/cow/upper,workdir=$D/cow/work" "$M"
mount --rbind /dev "$M/dev"
mount --rbind /sys "$M/sys"
mount -t proc proc "$M/proc"
mount --bind "$D/root" "$M/root"
mount -t tmpfs -o mode=0755,size=16m "egov-lab-$NAME-run" "$M/run"
mount -t tmpfs -o mode=1777,size=64m,nosuid,nodev "egov-lab-$NAME-tmp" "$M/tmp"
# paths of the machine the host must see where its own /tmp would hide them (a worker node:
# the lab's folder, the Python environment running ansible-runner), colon-separated
IFS=: read -r -a BIND_PATHS <<<"$BINDS"
for path in "${BIND_PATHS[@]}"; do
  mkdir -p "$M$path"
  mount --bind "$path" "$M$path"
done
mkdir "$M/.oldroot"; cd "$M"
pivot_root . .oldroot; cd /
umount -l /.oldroot; rmdir /.oldroot
mkdir -m 0755 /run/sshd
hostname "$NAME"
echo "$NAME" >/etc/hostname
printf '127.0.0.1\tlocalhost\n%s\t%s\n' "$IP" "$NAME" >/etc/hosts
tr -d '-' </proc/sys/kernel/random/uuid >/etc/machine-id
if [ -f /var/lib/dbus/machine-id ] && [ ! -L /var/lib/dbus/machine-id ]; then
  mount --bind /etc/machine-id /var/lib/dbus/machine-id
fi
rm -f /etc/ssh/ssh_host_*_key /etc/ssh/ssh_host_*_key.pub
ssh-keygen -q -t ed25519 -N '' -C "root@$NAME" -f /etc/ssh/ssh_host_ed25519_key
customize
# in this shell (set -e holds): a scenario may, like a profile, point SSHD_CONFIG elsewhere
if [ -n "$SCENARIO_TEXT" ]; then eval "$SCENARIO_TEXT"; fi
mount --rbind /proc/sys /proc/sys; mount -o remount,bind,ro /proc/sys
/usr/sbin/sshd -t -f "$SSHD_CONFIG" -o "ListenAddress=$IP:$PORT"
: >/var/log/sshd.log
exec /usr/sbin/sshd -D -f "$SSHD_CONFIG" -E /var/log/sshd.log -o "ListenAddress=$IP:$PORT" \
  -o PidFile=/run/sshd.pid
