# A compromised host: its "python3" answers the collection with crafted facts (terminal
# escapes, HTML and script, a 1 MB string). egov-audit must keep them inert.
. "$(dirname "$PROFILE")/common.sh"
customize() {
  cat >/usr/local/bin/python3-hostile <<'PY'
#!/usr/bin/python3
import json, sys
sys.stdin.read()
evil = "\x1b[2J\x1b]0;pwned\x07\x1b[31mRED\x9b1m<script>alert(1)</script>\"><img src=x onerror=alert(2)>"
print(json.dumps({"changed": False,
    "collector": {"name": "egov_host_facts", "version": "1", "note": evil},
    "egov_facts": {
        "os": {"id": evil, "pretty_name": evil, "hostname": evil},
        "sshd": {"installed": True, "config_valid": True, "permitrootlogin": evil,
                 "maxauthtries": evil, "port": [evil]},
        "logging": {"forwarding": ["A" * 1000000], "daemons": [evil], "retention_days": evil},
        "services": {"insecure": [evil] * 3, "listening": []},
        "accounts": {"extra_uid0": [evil], "empty_password": [], "default_active": []},
        "interfaces": [{"name": evil, "addresses": [evil, "999.1.1.1/8"]}],
    }}))
PY
  chmod 755 /usr/local/bin/python3-hostile
}
