# Helpers for lab host profiles (sourced inside the host, before its sshd starts).
sshd_set() {  # sshd_set Key value: set one sshd_config keyword (first match wins in sshd)
  sed -i -E "/^#?[[:space:]]*$1[[:space:]]/Id" /etc/ssh/sshd_config
  sed -i "1i $1 $2" /etc/ssh/sshd_config
}
login_defs_set() {
  sed -i -E "/^#?[[:space:]]*$1[[:space:]]/d" /etc/login.defs
  printf '%s\t%s\n' "$1" "$2" >>/etc/login.defs
}
daemon() {  # daemon NAME: a process named like the service (the lab shares the kernel and
            # the network: real chronyd or auditd would act on the whole machine)
  cp /bin/sleep "/usr/local/sbin/$1"
  (exec -a "$1" "/usr/local/sbin/$1" infinity </dev/null >/dev/null 2>&1 &)
}
no_pending_updates() {  # package lists of this host only: nothing to upgrade
  mkdir -p /var/lib/egov-lab/lists/partial
  echo 'Dir::State::Lists "/var/lib/egov-lab/lists";' >/etc/apt/apt.conf.d/99egov-lab
}
pending_security_updates() {  # what apt says on an unpatched host
  mkdir -p /usr/local/lab-bin
  cat >/usr/local/lab-bin/apt-get <<'APT'
#!/bin/sh
echo "Inst openssl [3.0.11-1~deb12u1] (3.0.15-1~deb12u1 Debian-Security:12/stable-security [amd64])"
echo "Inst libssl3 [3.0.11-1~deb12u1] (3.0.15-1~deb12u1 Debian-Security:12/stable-security [amd64])"
echo "Inst tzdata [2024a-0+deb12u1] (2025b-0+deb12u1 Debian:12.11/stable [all])"
APT
  chmod 755 /usr/local/lab-bin/apt-get
  mount --bind /usr/local/lab-bin/apt-get /usr/bin/apt-get
}
logrotate_conf() {  # Debian's /etc/logrotate.conf: global defaults, then the packages' files
  printf 'weekly\nrotate 4\ncreate\ninclude /etc/logrotate.d\n' >/etc/logrotate.conf
  mkdir -p /etc/logrotate.d
}
