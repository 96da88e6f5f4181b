# A typical server scanned through an unprivileged account (no become): the audit can say
# less, and says so (not assessed), instead of guessing.
. "$(dirname "$PROFILE")/typical.sh"
eval "$(declare -f customize | sed '1s/customize/typical_customize/')"
customize() {
  typical_customize
  echo 'audit:x:1700:1700:egov-audit:/home/audit:/bin/bash' >>/etc/passwd
  echo 'audit:x:1700:' >>/etc/group
  echo 'audit:!:19800:0:99999:7:::' >>/etc/shadow
  mkdir -p /home/audit/.ssh
  cp /root/.ssh/authorized_keys /home/audit/.ssh/authorized_keys
  chown -R 1700:1700 /home/audit
  chmod 700 /home/audit/.ssh
  chmod 600 /home/audit/.ssh/authorized_keys
}
