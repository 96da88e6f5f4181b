# A hardened server that also holds secrets: none of them may leave it in any evidence,
# bundle, report or log (tests/lab/test_lab_scan.py looks for each marker).
. "$(dirname "$PROFILE")/hardened.sh"
eval "$(declare -f customize | sed '1s/customize/hardened_customize/')"
customize() {
  hardened_customize
  echo 'ketoan:x:1600:1600:Ke toan:/home/ketoan:/bin/bash' >>/etc/passwd
  echo 'ketoan:$6$EGOVLABSALT$EGOVLABHASHSECRETx9Q2m7Zt0kWc4nR8sLpVb1yHd3:19800:1:90:7:::' \
    >>/etc/shadow
  mkdir -p /root/.ssh
  printf -- '-----BEGIN OPENSSH PRIVATE KEY-----\nEGOVLABPRIVATEKEYMATERIAL0123456789\n-----END OPENSSH PRIVATE KEY-----\n' \
    >/root/.ssh/id_ed25519_backup
  chmod 0600 /root/.ssh/id_ed25519_backup
  printf 'module(load="omhttp")\naction(type="omhttp" server="siem.example" httpheaderkey="Authorization" httpheadervalue="Bearer EGOVLABTOKENs3cr3t")\n' \
    >/etc/rsyslog.d/60-siem-token.conf
  printf 'API_TOKEN=EGOVLABTOKENs3cr3t\n' >/etc/default/siem-agent
}
