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
offer_updates() {  # offer_updates SUITE PACKAGE...: a newer version of each installed PACKAGE
  # waits in SUITE (e.g. bookworm-security) of a local repository, read into this host's own
  # package lists by apt-get update as from a mirror (file:, nothing is downloaded)
  local suite=$1 repo=/var/lib/egov-lab/repo arch pkg
  shift
  arch=$(dpkg --print-architecture)
  no_pending_updates
  mkdir -p "$repo/dists/$suite/main/binary-$arch"
  for pkg in "$@"; do
    dpkg-query -W -f 'Package: ${Package}\nVersion: ${Version}+egovlab1\nArchitecture: ${Architecture}\nFilename: pool/${Package}.deb\nSize: 1\nDescription: lab update\n\n' "$pkg"
  done >>"$repo/dists/$suite/main/binary-$arch/Packages"
  printf 'Origin: egov-lab\nSuite: %s\nCodename: %s\nComponents: main\nArchitectures: %s all\n' \
    "$suite" "$suite" "$arch" >"$repo/dists/$suite/Release"
  echo "deb [trusted=yes] file:$repo $suite main" >>/etc/apt/sources.list.d/egov-lab.list
  apt-get update -qq -o Dir::Etc::sourcelist=/etc/apt/sources.list.d/egov-lab.list \
    -o Dir::Etc::sourceparts=- -o APT::Get::List-Cleanup=false >/dev/null
}
CODENAME=$(. /etc/os-release && echo "$VERSION_CODENAME")
pending_security_updates() {  # an unpatched host: two security updates and a regular one
  offer_updates "$CODENAME-security" openssl libssl3
  offer_updates "$CODENAME-updates" tzdata
}
real_package_state() {  # what apt sees on a server that runs `apt update`: the machine's own
  # package lists, and apt's binary cache switched on and built (container images turn it off)
  rm -f /etc/apt/apt.conf.d/docker-clean
  apt-cache gencaches >/dev/null
}
typical_settings() {  # a server that works, with the usual gaps
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
}
logrotate_conf() {  # Debian's /etc/logrotate.conf: global defaults, then the packages' files
  printf 'weekly\nrotate 4\ncreate\ninclude /etc/logrotate.d\n' >/etc/logrotate.conf
  mkdir -p /etc/logrotate.d
}
