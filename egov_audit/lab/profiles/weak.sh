# A neglected server: every classic finding at once.
. "$(dirname "$PROFILE")/common.sh"
customize() {
  sshd_set PermitRootLogin yes
  sshd_set PasswordAuthentication yes
  sshd_set PermitEmptyPasswords yes
  sshd_set MaxAuthTries 10
  chmod 0666 /etc/ssh/sshd_config
  login_defs_set PASS_MAX_DAYS 99999
  login_defs_set ENCRYPT_METHOD MD5
  login_defs_set PASS_WARN_AGE 0
  echo 'toor:x:0:0:backdoor:/root:/bin/bash' >>/etc/passwd
  echo 'toor:!:19000:0:99999:7:::' >>/etc/shadow
  echo 'guest:x:1500:1500::/home/guest:/bin/bash' >>/etc/passwd
  echo 'guest::19000:0:99999:7:::' >>/etc/shadow
  echo 'admin:x:1501:1501::/home/admin:/bin/bash' >>/etc/passwd
  echo 'admin:$y$j9T$lablabla$notarealhashnotarealhashnotarealhash0:19000:0:99999:7:::' >>/etc/shadow
  chmod 0644 /etc/shadow /etc/gshadow
  chmod 0666 /etc/passwd /etc/group
  printf 'root ALL=(ALL:ALL) ALL\n%%sudo ALL=(ALL:ALL) NOPASSWD: ALL\n' >/etc/sudoers
  chmod 0644 /etc/sudoers
  daemon in.telnetd
  # and the classic superserver entries: telnet in inetd, tftp in xinetd
  printf 'telnet\tstream\ttcp\tnowait\troot\t/usr/sbin/tcpd\t/usr/sbin/in.telnetd\n' >>/etc/inetd.conf
  mkdir -p /etc/xinetd.d
  printf 'service tftp\n{\n\tsocket_type = dgram\n\tdisable = no\n\tserver = /usr/sbin/in.tftpd\n}\n' \
    >/etc/xinetd.d/tftp
  pending_security_updates
}
