#!/usr/bin/env bash
# Installs what the lab of real SSH hosts needs (root, Debian/Ubuntu): openssh-server, without
# letting the package start a machine-wide sshd (the lab hosts bind 127.0.1.x:22 themselves).
set -euo pipefail
[ "$(id -u)" = 0 ] || { echo "install-lab-deps: not root: the lab tests will be skipped" >&2; exit 0; }
need=()
[ -x /usr/sbin/sshd ] || need+=(openssh-server)
command -v ssh >/dev/null || need+=(openssh-client)
command -v unshare >/dev/null || need+=(util-linux)
command -v ip >/dev/null || need+=(iproute2)
[ ${#need[@]} -gt 0 ] || exit 0
command -v apt-get >/dev/null || { echo "install-lab-deps: install ${need[*]} by hand" >&2; exit 1; }
policy=/usr/sbin/policy-rc.d made=
if [ ! -e "$policy" ]; then printf '#!/bin/sh\nexit 101\n' >"$policy"; chmod 755 "$policy"; made=1; fi
trap '[ -n "$made" ] && rm -f "$policy"' EXIT
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
