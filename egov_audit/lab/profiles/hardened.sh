# A hardened agency server: passes the host controls of TCVN 11930:2017 level 3.
. "$(dirname "$PROFILE")/common.sh"
customize() {
  sshd_set PermitRootLogin prohibit-password   # key-only root: Ansible still connects
  sshd_set PasswordAuthentication no
  sshd_set KbdInteractiveAuthentication no
  sshd_set PermitEmptyPasswords no
  sshd_set MaxAuthTries 3
  sshd_set LoginGraceTime 30
  sshd_set X11Forwarding no
  sshd_set ClientAliveInterval 300
  sshd_set ClientAliveCountMax 1
  sshd_set AllowUsers root
  sshd_set Port "$PORT"
  chmod 0600 /etc/ssh/sshd_config
  login_defs_set PASS_MAX_DAYS 90
  login_defs_set PASS_MIN_DAYS 1
  login_defs_set PASS_WARN_AGE 7
  login_defs_set ENCRYPT_METHOD YESCRYPT
  printf 'minlen = 14\nminclass = 4\nretry = 3\n' >/etc/security/pwquality.conf
  sed -i '1i password requisite pam_pwquality.so retry=3' /etc/pam.d/common-password
  sed -i '1a password required pam_pwhistory.so remember=10 use_authtok' /etc/pam.d/common-password
  printf 'deny = 5\nunlock_time = 900\nfail_interval = 900\n' >/etc/security/faillock.conf
  sed -i '1i auth required pam_faillock.so preauth' /etc/pam.d/common-auth
  chmod 0640 /etc/shadow /etc/gshadow
  printf 'root ALL=(ALL:ALL) ALL\n%%quantri ALL=(ALL:ALL) ALL\n' >/etc/sudoers
  chmod 0440 /etc/sudoers
  mkdir -p /etc/ufw && printf 'ENABLED=yes\nLOGLEVEL=low\n' >/etc/ufw/ufw.conf
  mkdir -p /etc/chrony && printf 'server ntp.song-lam.example iburst\n' >/etc/chrony/chrony.conf
  daemon chronyd
  mkdir -p /etc/rsyslog.d && printf '*.* @@10.20.90.20:514\n' >/etc/rsyslog.d/50-forward.conf
  logrotate_conf
  printf '/var/log/syslog\n/var/log/auth.log\n{\n\tweekly\n\trotate 13\n\tcompress\n}\n' \
    >/etc/logrotate.d/rsyslog
  daemon rsyslogd
  mkdir -p /etc/audit/rules.d
  printf -- '-w /etc/passwd -p wa -k identity\n-w /etc/shadow -p wa -k identity\n' \
    >/etc/audit/rules.d/egov.rules
  daemon auditd
  daemon wazuh-agentd
  printf 'readonly TMOUT=900\nexport TMOUT\n' >/etc/profile.d/tmout.sh
  sed -i -E '/^#?[[:space:]]*INACTIVE=/d' /etc/default/useradd && echo 'INACTIVE=30' >>/etc/default/useradd
  no_pending_updates
}
