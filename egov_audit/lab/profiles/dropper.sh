# A host whose SSH connection dies in the middle of the collection (a flaky link, a watchdog).
customize() {
  cat >/usr/local/bin/python3-dropper <<'SH'
#!/bin/sh
# kill every SSH session of this host (the children of sshd, PID 1 of the host)
pkill -KILL -P 1
sleep 5
SH
  chmod 755 /usr/local/bin/python3-dropper
}
