# A Linux firewall: nftables in the host's own network namespace, with one interface per zone
# network it separates (a veth pair whose both ends stay in this namespace: the machine's
# kernel may lack the dummy module), loaded from the ruleset the lab wrote beside the host.
# Everything here acts on this namespace only.
. "$(dirname "$PROFILE")/common.sh"
NFT_RULESET_TEXT=$(cat "$D/nftables.nft")  # read now: the host's own view may not show it
NFT_INTERFACES_TEXT=$(cat "$D/interfaces")
customize() {
  sshd_set PermitRootLogin prohibit-password
  sshd_set PasswordAuthentication no
  local name address
  while read -r name address; do
    [ -n "$name" ] || continue
    ip link add "$name" type veth peer name "${name}p"
    ip address add "$address" dev "$name"
    ip link set "${name}p" up
    ip link set "$name" up
  done <<<"$NFT_INTERFACES_TEXT"
  echo 1 >/proc/sys/net/ipv4/ip_forward  # this namespace's, not the machine's
  printf '%s\n' "$NFT_RULESET_TEXT" >/etc/nftables-lab.nft
  nft -f /etc/nftables-lab.nft
}
