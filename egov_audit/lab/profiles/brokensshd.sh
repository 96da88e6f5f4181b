# A host whose sshd_config was broken by an edit after sshd started: sshd still answers with
# the old settings, but `sshd -T` (and the next restart) fail.
. "$(dirname "$PROFILE")/common.sh"
SSHD_CONFIG=/run/sshd_config.running
customize() {
  sshd_set PermitRootLogin yes
  cp /etc/ssh/sshd_config /run/sshd_config.running
  echo 'PermitRootLogin maybe-later' >>/etc/ssh/sshd_config
  echo 'ThisIsNotAnOption yes' >>/etc/ssh/sshd_config
}
