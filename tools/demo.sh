#!/usr/bin/env bash
# `make demo`: validate the sample agencies, scan real hosts (the lab of SSH hosts when run
# as root, this machine through Ansible's local connection otherwise), write the remediation playbook.
set -euo pipefail
cd "$(dirname "$0")/.."
EGOV=.venv/bin/egov-audit
REPORT_LANG=${REPORT_LANG:-vi}
export EGOV_AUDIT_LANG=$REPORT_LANG  # the messages around the reports too
work=$(mktemp -d)
state="$work/lab"
cleanup() {
  if [ -f "$state/lab.json" ]; then "$EGOV" lab down --state "$state" >/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
say() {  # say VIETNAMESE ENGLISH: the demo speaks the language of its reports
  if [ "$REPORT_LANG" = vi ]; then echo "$1"; else echo "$2"; fi
}

registry=docs/samples/delegated-apnic-extended-sample  # stands for APNIC's daily file
say "== 1. egov-audit validate inventories/song-lam (một tỉnh mẫu, không kết nối máy chủ nào; cấu hình router và tường lửa từ bản sao lưu; ASN và khối địa chỉ đối chiếu với thống kê cấp phát của APNIC) ==" \
    "== 1. egov-audit validate inventories/song-lam (a sample province, no host contacted; router and firewall judged from their backups; ASN and address blocks checked against APNIC's delegation statistics) =="
"$EGOV" validate inventories/song-lam --device-configs inventories/song-lam/.egov-audit/device-configs \
  --registry-file "$registry" --lang "$REPORT_LANG" --fail-on none
echo
say "== 2. ba đơn vị mẫu cùng lúc, kèm các biện pháp kiểm soát cấp quốc gia ==" \
    "== 2. the three sample agencies together, with the national checks =="
"$EGOV" validate inventories/* --documentation-as-public --registry-file "$registry" \
  --lang "$REPORT_LANG" --fail-on none \
  | sed -n '/== .*Summary\|== .*Tổng hợp/,$p'
echo
if [ "$(id -u)" = 0 ] && tools/install-test-deps.sh lab && [ -x /usr/sbin/sshd ]; then
  say "== 3. egov-audit scan: phòng thử nghiệm gồm các máy chủ SSH thật trên loopback, các router FRRouting chạy BGP thật, các UPS và cảm biến phòng máy chủ đọc qua SNMPv3 (root) ==" \
      "== 3. egov-audit scan: a lab of real SSH hosts on loopback, FRRouting routers running real BGP, UPSes and room sensors read over SNMPv3 (root) =="
  "$EGOV" lab up --network --facility --portals --state "$state"
  set -a; . "$state/facility.env"; set +a  # the SNMP passwords the inventory looks up
  "$EGOV" scan "$state/inventory" --known-hosts "$state/known_hosts" --evidence "$work/evidence" \
    --lang "$REPORT_LANG" --fail-on none
else
  say "== 3. egov-audit scan: chính máy này, qua kết nối local của Ansible (không phải root) ==" \
      "== 3. egov-audit scan: this machine, through Ansible's local connection (not root) =="
  mkdir -p "$work/inventory"
  cp -r inventories/song-lam/group_vars "$work/inventory/"
  cat >"$work/inventory/hosts.yml" <<'YML'
all:
  hosts:
    this-machine:
      zone: servers
      role: application
      ansible_host: 10.20.10.50
      ansible_connection: local
      ansible_python_interpreter: "{{ ansible_playbook_python }}"
YML
  "$EGOV" scan "$work/inventory" --evidence "$work/evidence" --lang "$REPORT_LANG" \
    --fail-on none
fi
inventory=$([ -f "$state/lab.json" ] && echo "$state/inventory" || echo "$work/inventory")
echo
if [ -f "$state/lab.json" ]; then
  say "== 4. egov-audit probe: cổng thông tin của hai đơn vị mẫu nhìn từ bên ngoài (DNSSEC, IPv6, HTTPS), trong mạng Internet thu nhỏ của phòng thử nghiệm ==" \
      "== 4. egov-audit probe: the two sample agencies' portals seen from outside (DNSSEC, IPv6, HTTPS), in the lab's small internet =="
  "$EGOV" lab exec --state "$state" -- "$EGOV" probe inventories/song-lam inventories/bo-hts \
    --evidence "$work/portals" --documentation-as-public --allow-private --lang "$REPORT_LANG" \
    --fail-on none \
    >"$work/probe.txt"
  grep -A1 -E '^ \[[^]]+\] PORTAL-' "$work/probe.txt" | grep -v '^--$' | head -n 24
  echo "   ..."
  sed -n '/== .*Summary\|== .*Tổng hợp/,$p' "$work/probe.txt"
else
  say "== 4. egov-audit probe: cần quyền root để dựng mạng Internet thu nhỏ của phòng thử nghiệm (bỏ qua) ==" \
      "== 4. egov-audit probe: the lab's small internet needs root (skipped) =="
fi
echo
say "== 5. egov-audit fix: playbook khắc phục các thiếu hụt sửa được (chỉ ghi ra, chưa chạy) ==" \
    "== 5. egov-audit fix: the playbook that closes the fixable gaps (written, not applied) =="
"$EGOV" evaluate "$inventory" --evidence "$work/evidence" -f json -o "$work/bundle.json" \
  --fail-on none
# the scanned hosts are this machine (not root) or live on its loopback (the lab's
# 127.0.1.x): fix writes plays for the controller only when asked
"$EGOV" fix "$work/bundle.json" --inventory "$inventory" --evidence "$work/evidence" \
  --allow-controller -o "$work/remediation.yml" --lang "$REPORT_LANG" 2>"$work/fix.log"
head -n 8 "$work/fix.log"
echo "   ..."
if [ -f "$work/remediation.yml" ]; then
  sed -n '1,8p' "$work/remediation.yml"
  grep -m 6 '^    - name: \(!unsafe \)\?.\?HOST-' "$work/remediation.yml"
  fixes=$(grep -c '^    - name: \(!unsafe \)\?.\?HOST-' "$work/remediation.yml")
  say "   ($fixes bản sửa; thực hiện bằng: egov-audit fix GÓI --inventory THƯ_MỤC --evidence THƯ_MỤC --apply)" \
      "   ($fixes fixes; apply with: egov-audit fix BUNDLE --inventory DIR --evidence DIR --apply)"
fi
echo
say "== 6. kho dữ liệu quốc gia mẫu: ba đơn vị mẫu ký gói kết quả, thanh tra thu thập vào .demo/national.db ==" \
    "== 6. a demo national store: the three sample agencies sign their bundles, an inspector collects them into .demo/national.db =="
mkdir -p .demo
rm -f .demo/national.db .demo/national.db-wal .demo/national.db-shm
for agency in song-lam bo-hts ha-son; do
  "$EGOV" keygen --agency "$agency" --out "$work/keys" >/dev/null
  "$EGOV" validate "inventories/$agency" --documentation-as-public --registry-file "$registry" \
    -f json -o "$work/$agency.json" --fail-on none
  "$EGOV" sign "$work/$agency.json" --key "$work/keys/$agency.key" -o "$work/$agency.signed.json" >/dev/null
done
mkdir -p "$work/registry" && cp "$work"/keys/*.pub "$work/registry/"
"$EGOV" collect "$work"/*.signed.json --db .demo/national.db --keys "$work/registry"
"$EGOV" scores --db .demo/national.db --lang "$REPORT_LANG"
if .venv/bin/python -c 'import starlette, argon2' 2>/dev/null; then
  for agency in song-lam bo-hts ha-son; do
    "$EGOV" serve --db .demo/national.db key add "$agency" "$work/keys/$agency.pub" >/dev/null
  done
  password=$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(12))')
  echo "$password" | "$EGOV" serve --db .demo/national.db user add demo-inspector \
    --role inspector --password-stdin >/dev/null
  printf 'account: demo-inspector\npassword: %s\n' "$password" >.demo/credentials.txt
  chmod 600 .demo/credentials.txt
  say "   dịch vụ quốc gia trên kho này: make serve-demo (tài khoản và mật khẩu trong .demo/credentials.txt)" \
      "   the national service over it: make serve-demo (account and password in .demo/credentials.txt)"
fi
