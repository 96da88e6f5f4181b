# A typical provincial server: it works, and it has the usual gaps.
. "$(dirname "$PROFILE")/common.sh"
customize() {
  sshd_set PermitRootLogin yes
  sshd_set PasswordAuthentication yes
  sshd_set MaxAuthTries 6
  login_defs_set PASS_MAX_DAYS 99999
  login_defs_set PASS_MIN_DAYS 0
  chmod 0640 /etc/shadow
  mkdir -p /etc/chrony && printf 'pool 2.debian.pool.ntp.org iburst\n' >/etc/chrony/chrony.conf
  daemon chronyd
  logrotate_conf
  printf '/var/log/syslog\n{\n\tweekly\n\trotate 4\n}\n' >/etc/logrotate.d/rsyslog
  daemon rsyslogd
  no_pending_updates
}
