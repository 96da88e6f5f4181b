#!/usr/bin/env bash
# Installs what the end-to-end tests need (root, Debian/Ubuntu): openssh-server for the lab of
# real SSH hosts, FRRouting for its routers, Net-SNMP's snmpd for its UPSes and sensors, Knot DNS,
# Unbound and nginx for its public portals (without letting the packages start a machine-wide
# sshd, routing daemons, SNMP agent, DNS or web server: the lab runs its own), Chromium
# with its driver for the HTML report tests, and PostgreSQL (the tests start their own
# throwaway cluster with Debian's binaries).
set -euo pipefail
[ "$(id -u)" = 0 ] || { echo "install-test-deps: not root: lab and browser tests are skipped" >&2; exit 0; }
need=()
[ -x /usr/sbin/sshd ] || need+=(openssh-server)
command -v ssh >/dev/null || need+=(openssh-client)
command -v unshare >/dev/null || need+=(util-linux)
command -v ip >/dev/null || need+=(iproute2)
command -v script >/dev/null || need+=(bsdutils)
command -v nft >/dev/null || need+=(nftables)
[ -x /usr/lib/frr/bgpd ] || need+=(frr)  # the lab's routers (each in its own namespace)
[ -x /usr/sbin/snmpd ] || need+=(snmpd)  # the lab's UPSes and room sensors (SNMPv3 agents)
# the lab's small internet for public portals: an authoritative DNS server, a validating
# resolver and HTTPS servers (all in the lab's own namespace, none started as a service)
[ -x /usr/sbin/knotd ] || need+=(knot)  # knotd and keymgr: signs and serves the lab's zones
[ -x /usr/sbin/unbound ] || need+=(unbound)
[ -x /usr/sbin/nginx ] || need+=(nginx)
if [ "${1:-all}" != lab ]; then  # `install-test-deps.sh lab`: only what the lab needs
  compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || need+=(postgresql)
  [ -x /usr/bin/chromium ] || need+=(chromium fonts-dejavu-core)
  [ -x /usr/bin/chromedriver ] || need+=(chromium-driver)
fi
[ ${#need[@]} -gt 0 ] || exit 0
command -v apt-get >/dev/null || { echo "install-test-deps: install ${need[*]} by hand" >&2; exit 1; }
policy=/usr/sbin/policy-rc.d made=
if [ ! -e "$policy" ]; then printf '#!/bin/sh\nexit 101\n' >"$policy"; chmod 755 "$policy"; made=1; fi
trap '[ -n "$made" ] && rm -f "$policy"' EXIT
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
