"""The host-facts module's parsers on saved file trees (tests/fixtures/hostfs/<profile>/) and
recorded command outputs: PAM precedence, login.defs values, `sshd -T`, accounts, sockets, ...
in milliseconds, without root, on any machine. The lab tests run the same module on real hosts."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from egov_audit.schemas import first_error
from tests.helpers import FIXTURES, load_collector_module

HOSTFS = FIXTURES / "hostfs"


M = load_collector_module()


def recorded(profile: str) -> Callable[[list[str], int], tuple[int | None, str]]:
    """A runner that answers with the outputs recorded for the profile; any other command is
    missing on that host (None, '') — the module must never run anything unrecorded."""
    outputs = yaml.safe_load((HOSTFS / f"{profile}.commands.yml").read_text("utf-8"))
    asked: list[str] = []

    def runner(args: list[str], timeout: int) -> tuple[int | None, str]:
        line = " ".join(args)
        asked.append(line)
        found = outputs.get(line)
        return (None, "") if found is None else (found["rc"], found["stdout"])

    runner.asked = asked  # type: ignore[attr-defined]
    return runner


def host(profile: str, root: Path | None = None, euid: int = 0) -> Any:
    return M.Host(root=str(root or HOSTFS / profile), runner=recorded(profile), euid=euid,
                  kernel="6.1.0-test", hostname=profile)


@pytest.fixture(scope="module")
def hardened() -> dict[str, Any]:
    facts: dict[str, Any] = M.collect(host("hardened"))
    return facts


@pytest.fixture(scope="module")
def weak() -> dict[str, Any]:
    facts: dict[str, Any] = M.collect(host("weak"))
    return facts


def test_whole_profiles_make_valid_fact_bundles(hardened: dict[str, Any],
                                                weak: dict[str, Any]) -> None:
    for name, facts in (("hardened", hardened), ("weak", weak)):
        bundle = {"schema": "egov-audit/fact-bundle@1", "host": name, "status": "collected",
                  "collected_at": "2026-12-02T00:00:00Z",
                  "collector": {"name": "egov_host_facts", "version": M.VERSION},
                  "facts": facts}
        assert first_error(json.loads(json.dumps(bundle)), "fact-bundle") is None, name


def test_no_password_hash_leaves_the_module(hardened: dict[str, Any],
                                            weak: dict[str, Any]) -> None:
    text = json.dumps([hardened, weak])
    assert "FAKEHASH" not in text and "notarealhash" not in text and "$6$" not in text


def test_os_release(hardened: dict[str, Any]) -> None:
    assert hardened["os"] == {"id": "debian", "version_id": "12",
                              "pretty_name": "Debian GNU/Linux 12 (bookworm)",
                              "kernel": "6.1.0-test", "hostname": "hardened"}


def test_sshd_effective_settings(hardened: dict[str, Any], weak: dict[str, Any]) -> None:
    ssh = hardened["sshd"]
    assert ssh["installed"] and ssh["config_valid"]
    assert (ssh["permitrootlogin"], ssh["passwordauthentication"]) == ("no", "no")
    assert (ssh["maxauthtries"], ssh["logingracetime"]) == (4, 30)
    assert ssh["port"] == [2222]
    assert ssh["listenaddress"] == ["[::]:2222", "0.0.0.0:2222"]
    # ClientAliveCountMax 0: the idle check never cuts a session
    assert ssh["idle_timeout_s"] == 0
    assert ssh["access_restricted"] is True
    assert "subsystem" not in ssh  # only the keys the controls read
    bad = weak["sshd"]
    assert (bad["permitrootlogin"], bad["permitemptypasswords"], bad["x11forwarding"]) == \
        ("yes", "yes", "yes")
    assert bad["port"] == [22] and bad["access_restricted"] is False
    assert bad["idle_timeout_s"] == 0  # interval 0: never


def test_sshd_missing_unreadable_or_broken(tmp_path: Path) -> None:
    tree = tmp_path / "root"
    shutil.copytree(HOSTFS / "weak", tree)
    (tree / "usr/sbin/sshd").unlink()
    assert M.sshd(host("weak", tree)) == {"installed": False}

    def failing(args: list[str], timeout: int) -> tuple[int | None, str]:
        return 255, ""

    broken = M.Host(root=str(HOSTFS / "weak"), runner=failing, euid=1000, kernel="k",
                    hostname="h")
    assert M.sshd(broken) == {"installed": True, "readable": False}  # sshd -T needs root
    broken.euid = 0
    assert M.sshd(broken) == {"installed": True, "readable": True, "config_valid": False}


def test_login_defs_values(hardened: dict[str, Any], weak: dict[str, Any]) -> None:
    defs = hardened["login_defs"]
    assert defs["pass_max_days"] == 60  # the commented 99999 is not read
    assert defs["umask"] == "027"  # octal: kept as written, never 27
    assert defs["encrypt_method"] == "YESCRYPT"
    assert weak["login_defs"]["pass_max_days"] == 99999
    assert weak["login_defs"]["umask"] == "022"


def test_pam_line_options_win_over_pwquality_conf(hardened: dict[str, Any],
                                                  weak: dict[str, Any]) -> None:
    quality = hardened["pwquality"]
    assert quality["minlen"] == 14  # pwquality.conf says 8, the PAM line 14
    assert quality["minclass"] == 4 and quality["dcredit"] == -1
    assert quality["enforce_for_root"] is True
    assert quality["pam_enabled"] is True
    assert quality["remember"] == 12  # the larger of pam_pwhistory 12 and pam_unix 5
    assert quality["sources"]["minlen"] == "/etc/pam.d/common-password:2"
    assert quality["sources"]["dcredit"] == "/etc/security/pwquality.conf.d/50-local.conf:1"
    assert {"keyword": "minlen", "value": 8, "source": "/etc/security/pwquality.conf:2",
            "ignored": "a later line wins (/etc/pam.d/common-password:2)"} \
        in quality["ignored_lines"]
    assert {"keyword": "remember", "value": 5, "source": "/etc/pam.d/common-password:4",
            "ignored": "a longer history is enforced (/etc/pam.d/common-password:3)"} \
        in quality["ignored_lines"]
    assert weak["pwquality"] == {"pam_enabled": False}


def test_lockout(hardened: dict[str, Any], weak: dict[str, Any]) -> None:
    assert hardened["lockout"] == {
        "configured": True, "module": "pam_faillock", "deny": 5, "unlock_time": 900,
        "fail_interval": 900, "defaults": ["fail_interval"],  # faillock's compiled-in 900 s
        "sources": {"deny": "/etc/security/faillock.conf:2",
                    "unlock_time": "/etc/security/faillock.conf:3"}}
    assert weak["lockout"] == {"configured": False}


def test_accounts(hardened: dict[str, Any], weak: dict[str, Any]) -> None:
    good = hardened["accounts"]
    assert good["extra_uid0"] == [] and good["empty_password"] == []
    assert good["default_active"] == []  # postgres has a shell but a locked password
    assert good["interactive_names"] == ["nguyenvan", "tranthi"]
    assert good["inactive_days"] == 30 and good["shadow_readable"] is True
    bad = weak["accounts"]
    assert bad["extra_uid0"] == ["toor"]
    assert bad["empty_password"] == ["guest"]
    assert bad["default_active"] == ["admin"]
    assert good["sources"] == {"inactive_days": "/etc/default/useradd:2"}
    assert bad["inactive_days"] == -1 and bad["defaults"] == ["inactive_days"]  # never


def test_listening_sockets_and_insecure_services(hardened: dict[str, Any],
                                                 weak: dict[str, Any]) -> None:
    listening = hardened["services"]["listening"]
    assert {"proto": "tcp", "address": "0.0.0.0", "port": 2222} in listening
    assert {"proto": "tcp", "address": "127.0.0.1", "port": 8080} in listening
    assert {"proto": "tcp6", "address": "::", "port": 2222} in listening
    assert all(s["port"] != 54321 for s in listening)  # an established connection, not a listener
    assert hardened["services"]["insecure"] == []
    # telnet listening and in inetd.conf, tftp enabled in xinetd (rsync disabled), vsftpd running
    assert weak["services"]["insecure"] == ["ftp", "telnet", "tftp"]


def test_firewall(hardened: dict[str, Any], weak: dict[str, Any]) -> None:
    assert hardened["firewall"] == {"active": True, "backends": ["nftables"],
                                    "nftables_rules": 2}
    # iptables with ACCEPT policies and no rule is no firewall; nft is not installed there
    assert weak["firewall"] == {"active": False, "backends": []}


def test_time_logging_audit_session(hardened: dict[str, Any], weak: dict[str, Any]) -> None:
    assert hardened["time_sync"] == {"active": True, "daemons": ["chronyd"],
                                     "servers": ["2.debian.pool.ntp.org", "ntp.gov.vn"]}
    assert weak["time_sync"]["active"] is False
    logging = hardened["logging"]
    assert logging["forwarding"] == ["10.20.0.5", "@@siem.tinh.gov.vn:6514"]
    assert logging["retention_days"] == 7 * 14  # weekly, rotate 13: 14 weeks on disk
    assert weak["logging"]["retention_days"] == 8  # daily, rotate 7
    assert hardened["auditd"] == {"running": True, "rules": 4}
    assert hardened["session"] == {  # readonly TMOUT=600 in profile.d
        "tmout": 600, "tmout_readonly": True, "tmout_source": "/etc/profile.d/tmout.sh:2",
        "tmout_assignments": [{"value": "600", "source": "/etc/profile.d/tmout.sh:2",
                               "applied": True}]}
    # a commented TMOUT is not a setting
    assert weak["session"] == {"tmout": None, "tmout_readonly": False, "tmout_assignments": []}


def test_updates_from_the_upgradable_list(hardened: dict[str, Any],
                                         weak: dict[str, Any]) -> None:
    assert hardened["updates"] == {"manager": "apt", "checked": True, "pending": 1,
                                   "security_pending": 0, "security_packages": [],
                                   "package_cache": "disabled"}
    # openssl is in both the updates and the security suite: a security update
    assert weak["updates"] == {"manager": "apt", "checked": True, "pending": 3,
                               "security_pending": 2,
                               "security_packages": ["libssl1.1", "openssl"],
                               "package_cache": "missing"}


APT_CONFIG = ("apt-config shell CACHE Dir::Cache::pkgcache/f LISTS Dir::State::Lists/d STATUS "
              "Dir::State::status/f SOURCES Dir::Etc::sourcelist/f PARTS "
              "Dir::Etc::sourceparts/d")


@pytest.mark.parametrize("cache_age, state", [(None, "fresh"), (-3600, "stale")])
def test_a_fresh_cache_is_read_and_a_stale_one_never_rewritten(
        tmp_path: Path, cache_age: int | None, state: str) -> None:
    """apt run as root rewrites a stale pkgcache.bin: the module then tells it to build the
    cache in memory, and says so in the evidence."""
    root = tmp_path / "root"
    for name in ("var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_InRelease",
                 "var/lib/dpkg/status", "etc/apt/sources.list", "var/cache/apt/pkgcache.bin",
                 "usr/bin/apt"):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text("x")
    if cache_age is not None:
        lists = (root / "var/lib/dpkg/status").stat().st_mtime
        os.utime(root / "var/cache/apt/pkgcache.bin", (lists + cache_age, lists + cache_age))
    asked: list[str] = []
    listing = ("Listing...\n"
               "libc6/bookworm-security 2.36-9+deb12u10 amd64 [upgradable from: 2.36-9]\n")

    def runner(args: list[str], timeout: int) -> tuple[int | None, str]:
        asked.append(" ".join(args))
        if args[0] == "apt-config":
            return 0, ("CACHE='/var/cache/apt/pkgcache.bin'\nLISTS='/var/lib/apt/lists/'\n"
                       "STATUS='/var/lib/dpkg/status'\nSOURCES='/etc/apt/sources.list'\n"
                       "PARTS='/etc/apt/sources.list.d/'\n")
        return 0, listing

    facts = M.updates(M.Host(root=str(root), runner=runner, euid=0, kernel="k", hostname="h"))
    assert facts == {"manager": "apt", "checked": True, "pending": 1, "security_pending": 1,
                     "security_packages": ["libc6"], "package_cache": state}
    in_memory = " -o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache="
    assert asked == [APT_CONFIG, "apt list --upgradable" + ("" if state == "fresh" else in_memory)]


def test_antimalware_and_interfaces(hardened: dict[str, Any], weak: dict[str, Any]) -> None:
    assert hardened["antimalware"] == {"running": ["Wazuh"], "installed": ["Wazuh"],
                                       "present": True}
    assert weak["antimalware"]["present"] is False
    assert hardened["interfaces"] == [
        {"name": "ens18", "addresses": ["10.20.0.10/24", "2001:db8:20::10/64"]},
        {"name": "lo", "addresses": ["127.0.0.1/8"]}]


def test_file_modes(tmp_path: Path) -> None:
    """git keeps no file modes: the tree is copied and its modes set here."""
    tree = tmp_path / "root"
    shutil.copytree(HOSTFS / "hardened", tree)
    os.chmod(tree / "etc/shadow", 0o640)
    os.chmod(tree / "etc/passwd", 0o666)
    facts = M.files(host("hardened", tree))
    assert facts["etc_shadow"]["mode"] == "0640"
    assert facts["etc_shadow"]["world_readable"] is False
    assert facts["etc_passwd"]["world_writable"] is True
    os.chmod(tree / "etc/shadow", 0o644)
    assert M.files(host("hardened", tree))["etc_shadow"]["world_readable"] is True


def test_only_read_only_commands_are_run() -> None:
    runner = recorded("hardened")
    M.collect(M.Host(root=str(HOSTFS / "hardened"), runner=runner, euid=0, kernel="k",
                     hostname="h"))
    asked = runner.asked  # type: ignore[attr-defined]
    assert sorted(asked) == sorted([
        "/usr/sbin/sshd -T", "nft -j list ruleset", "iptables-save",
        "/usr/sbin/sshd -T -C addr=10.20.0.1,host=egov-audit-probe.invalid,laddr=192.0.2.2,"
        "lport=65535,user=egov-audit-probe",
        APT_CONFIG, "apt list --upgradable -o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache=",
        "ip -j address show"])


# -- the login shell's TMOUT: sourcing order, readonly, every shell form --------------------------

DEBIAN_PROFILE = (HOSTFS / "hardened/etc/profile").read_text("utf-8")


def _tmout(tmp_path: Path, files: dict[str, str], profile: str = DEBIAN_PROFILE) -> Any:
    root = tmp_path / "root"
    (root / "etc/profile.d").mkdir(parents=True)
    (root / "etc/profile").write_text(profile)
    for name, content in files.items():
        path = root / name.lstrip("/")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
    return M.session_timeout(host("hardened", root))


@pytest.mark.parametrize("line", [
    "TMOUT=600", "export TMOUT=600", "readonly TMOUT=600", "declare -r TMOUT=600",
    "declare -rx TMOUT=600", "declare -x -r TMOUT=600", "typeset -r TMOUT=600",
    "typeset -xr TMOUT='600'", 'TMOUT="600"; readonly TMOUT; export TMOUT',
    "  readonly TMOUT=600  # 10 minutes",
])
def test_every_shell_form_of_setting_tmout(tmp_path: Path, line: str) -> None:
    facts = _tmout(tmp_path, {"/etc/profile.d/tmout.sh": line + "\n"})
    assert facts["tmout"] == 600, line
    assert facts["tmout_source"] == "/etc/profile.d/tmout.sh:1"
    assert facts["tmout_readonly"] is ("readonly" in line or "-r" in line or "-xr" in line)


def test_readonly_first_assignment_wins_over_later_ones(tmp_path: Path) -> None:
    facts = _tmout(tmp_path, {"/etc/profile.d/10-hardening.sh": "readonly TMOUT=900\n",
                              "/etc/profile.d/90-app.sh": "TMOUT=3600\n"})
    assert facts["tmout"] == 900
    assert facts["tmout_assignments"] == [
        {"value": "900", "source": "/etc/profile.d/10-hardening.sh:1", "applied": True},
        {"value": "3600", "source": "/etc/profile.d/90-app.sh:1", "applied": False,
         "ignored": "readonly"}]


def test_without_readonly_the_last_assignment_wins_not_the_smallest(tmp_path: Path) -> None:
    """The collector used to take the minimum (300): the login shell really gets 1800."""
    facts = _tmout(tmp_path, {"/etc/profile.d/10-short.sh": "export TMOUT=300\n",
                              "/etc/profile.d/90-long.sh": "TMOUT=1800\n"})
    assert facts["tmout"] == 1800 and facts["tmout_source"] == "/etc/profile.d/90-long.sh:1"
    assert [a["applied"] for a in facts["tmout_assignments"]] == [True, True]


def test_sourcing_order_follows_etc_profile(tmp_path: Path) -> None:
    """Debian's /etc/profile sources /etc/bash.bashrc before /etc/profile.d/*.sh."""
    facts = _tmout(tmp_path, {"/etc/bash.bashrc": "TMOUT=600\n",
                              "/etc/profile.d/z.sh": "TMOUT=700\n"})
    assert facts["tmout"] == 700
    assert [a["source"] for a in facts["tmout_assignments"]] == [
        "/etc/bash.bashrc:1", "/etc/profile.d/z.sh:1"]


def test_what_the_login_shell_never_reads_does_not_count(tmp_path: Path) -> None:
    # a profile without the profile.d loop: the drop-in is never sourced
    assert _tmout(tmp_path / "a", {"/etc/profile.d/tmout.sh": "readonly TMOUT=600\n"},
                  profile="export PATH=/usr/bin:/bin\n")["tmout"] is None
    # only *.sh files are sourced; a commented line is not a setting
    facts = _tmout(tmp_path / "b", {"/etc/profile.d/tmout.conf": "readonly TMOUT=600\n",
                                    "/etc/profile.d/tmout.sh": "# readonly TMOUT=600\n"})
    assert facts["tmout"] is None and facts["tmout_assignments"] == []


def test_a_value_the_shell_cannot_use(tmp_path: Path) -> None:
    facts = _tmout(tmp_path, {"/etc/profile.d/tmout.sh": "TMOUT=15m\n"})
    assert facts["tmout"] is None and facts["tmout_invalid"] == "15m"


def test_a_sourcing_loop_ends(tmp_path: Path) -> None:
    facts = _tmout(tmp_path, {"/etc/profile.d/a.sh": ". /etc/profile\nTMOUT=600\n"})
    assert facts["tmout"] == 600


# -- where sshd's settings are written: Include, first value wins, Match blocks, defaults --------

def test_sshd_sources_follow_include_and_first_value_wins(hardened: dict[str, Any]) -> None:
    ssh = hardened["sshd"]
    sources = ssh["sources"]
    dropin = "/etc/ssh/sshd_config.d/50-hardening.conf"
    assert sources["maxauthtries"] == f"{dropin}:2"  # the Include stands before MaxAuthTries 6
    assert sources["passwordauthentication"] == f"{dropin}:3"
    assert sources["port"] == "/etc/ssh/sshd_config:3"
    assert ssh["ignored_lines"] == [{
        "keyword": "maxauthtries", "value": "6", "source": "/etc/ssh/sshd_config:5",
        "ignored": f"an earlier line wins ({dropin}:2)"}]
    # a Match block applies to some connections only: kept apart, with its settings
    assert ssh["match_blocks"] == [{"criteria": "Address 10.20.0.0/24",
                                    "source": "/etc/ssh/sshd_config:13",
                                    "settings": {"passwordauthentication": "yes"}}]
    assert "maxauthtries" not in ssh["defaults"] and "idle_timeout_s" not in ssh["defaults"]
    assert "listenaddress" in ssh["defaults"]  # never written: sshd's own


def test_sshd_settings_left_to_defaults(weak: dict[str, Any]) -> None:
    ssh = weak["sshd"]
    assert ssh["sources"]["permitrootlogin"] == "/etc/ssh/sshd_config:2"
    # a commented MaxAuthTries is not a setting: sshd -T says 6, its default
    for key in ("maxauthtries", "logingracetime", "port", "clientaliveinterval",
                "idle_timeout_s", "access_restricted"):
        assert key in ssh["defaults"], key
    assert ssh["ignored_lines"] == [] and ssh["match_blocks"] == []


def test_sshd_include_relative_and_inside_a_match_block(tmp_path: Path) -> None:
    root = _tree(tmp_path, {
        "/etc/ssh/sshd_config": "Match User backup\n  Include conf.d/*.conf\n  X11Forwarding yes\n"
                                "Match all\nMaxAuthTries 3\n",
        "/etc/ssh/conf.d/a.conf": "PermitRootLogin yes\n"})
    facts = M.sshd_sources(host("weak", root))
    # the included line and the one after the Include stay in the Match block
    assert facts["match_blocks"] == [{"criteria": "User backup",
                                      "source": "/etc/ssh/sshd_config:1",
                                      "settings": {"permitrootlogin": "yes",
                                                   "x11forwarding": "yes"}}]
    assert facts["sources"] == {"maxauthtries": "/etc/ssh/sshd_config:5"}


def test_long_daemon_names_as_the_kernel_keeps_them(tmp_path: Path) -> None:
    """/proc/PID/comm holds 15 characters: systemd-timesyncd runs as "systemd-timesyn" (a real
    host's time daemon was reported missing before the scenarios caught it)."""
    root = tmp_path / "root"
    shutil.copytree(HOSTFS / "weak", root)
    (root / "proc/400").mkdir()
    (root / "proc/400/comm").write_text("systemd-timesyn\n")
    (root / "proc/400/cmdline").write_text("/lib/systemd/systemd-timesyncd\0")
    (root / "proc/401").mkdir()
    (root / "proc/401/comm").write_text("systemd-journal\n")  # the journal itself, not upload
    (root / "proc/401/cmdline").write_text("/lib/systemd/systemd-journald\0")
    facts = M.collect(host("weak", root))
    assert facts["time_sync"]["active"] is True
    assert facts["time_sync"]["daemons"] == ["systemd-timesyncd"]
    assert "systemd-journal-upload" not in facts["logging"]["daemons"]
    (root / "proc/402").mkdir()
    (root / "proc/402/comm").write_text("systemd-journal\n")
    (root / "proc/402/cmdline").write_text("/lib/systemd/systemd-journal-upload\0--save-state\0")
    assert "systemd-journal-upload" in M.collect(host("weak", root))["logging"]["daemons"]
    procs = M.processes(host("weak", root))
    assert "systemd-timesyncd" in procs and "chronyd" not in procs and 3 not in procs


def test_login_defs_later_line_wins_and_says_where(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"/etc/login.defs": "PASS_MAX_DAYS\t60\n# PASS_MAX_DAYS 30\n"
                                               "PASS_MAX_DAYS 99999\nENCRYPT_METHOD YESCRYPT\n"})
    facts = M.login_defs(host("weak", root))
    assert facts["pass_max_days"] == 99999
    assert facts["sources"] == {"pass_max_days": "/etc/login.defs:3",
                                "encrypt_method": "/etc/login.defs:4"}
    assert facts["ignored_lines"] == [{"keyword": "pass_max_days", "value": "60",
                                       "source": "/etc/login.defs:1",
                                       "ignored": "a later line wins (/etc/login.defs:3)"}]


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "root"
    for name, content in files.items():
        path = root / name.lstrip("/")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
    (root / "etc").mkdir(parents=True, exist_ok=True)
    return root


def test_login_defs_reads_values_as_shadow_utils_does(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"/etc/login.defs": (
        "PASS_MAX_DAYS 90   # quarterly\nPASS_MIN_DAYS \"1\"\nENCRYPT_METHOD sha512\n"
        "MD5_CRYPT_ENAB yes\n")})
    facts = M.login_defs(host("weak", root))
    # the comment is part of the value: shadow-utils cannot parse "90   # quarterly"
    assert facts["pass_max_days"] == -1 and "pass_max_days" in facts["defaults"]
    assert {"keyword": "pass_max_days", "value": "90   # quarterly",
            "source": "/etc/login.defs:1",
            "ignored": "not a number: shadow-utils ignores it and uses its default"} \
        in facts["ignored_lines"]
    assert facts["pass_min_days"] == 1  # quotes around a value are dropped
    assert facts["encrypt_method"] == "MD5"  # lower-case sha512 is unknown; MD5_CRYPT_ENAB
    assert facts["pass_warn_age"] == -1
    missing = M.login_defs(host("weak", _tree(tmp_path / "none", {})))
    assert missing == {"pass_max_days": -1, "pass_min_days": -1, "pass_warn_age": -1,
                       "encrypt_method": "DES",
                       "defaults": ["encrypt_method", "pass_max_days", "pass_min_days",
                                    "pass_warn_age"]}


PAM_PWQUALITY = "password requisite pam_pwquality.so retry=3\n"


def test_pwquality_main_file_is_read_after_its_folder(tmp_path: Path) -> None:
    root = _tree(tmp_path, {
        "/etc/pam.d/common-password": PAM_PWQUALITY,
        "/etc/security/pwquality.conf.d/10-site.conf": "minlen = 14\n",
        "/etc/security/pwquality.conf": "minlen = 6\n"})
    facts = M.pwquality(host("weak", root))
    assert facts["minlen"] == 6 and facts["sources"]["minlen"] == \
        "/etc/security/pwquality.conf:1"
    assert facts["ignored_lines"][0]["source"] == "/etc/security/pwquality.conf.d/10-site.conf:1"
    assert facts["minclass"] == 0 and facts["defaults"] == ["minclass"]


def test_pwquality_defaults_and_what_nothing_enforces(tmp_path: Path) -> None:
    only_module = M.pwquality(host("weak", _tree(tmp_path / "a", {
        "/etc/pam.d/common-password": PAM_PWQUALITY})))
    assert only_module["minlen"] == 8 and only_module["defaults"] == ["minclass", "minlen"]
    unused = M.pwquality(host("weak", _tree(tmp_path / "b", {
        "/etc/security/pwquality.conf": "minlen = 14\n"})))
    assert "minlen" not in unused and unused["pam_enabled"] is False
    assert unused["ignored_lines"] == [{
        "keyword": "minlen", "value": 14, "source": "/etc/security/pwquality.conf:1",
        "ignored": "no PAM stack loads pam_pwquality: nothing enforces it"}]
    cracklib = M.pwquality(host("weak", _tree(tmp_path / "c", {
        "/etc/pam.d/common-password": "password requisite pam_cracklib.so retry=3\n",
        "/etc/security/pwquality.conf": "minlen = 14\n"})))
    assert cracklib["minlen"] == 9 and cracklib["module"] == "pam_cracklib"  # reads no file


def test_password_history_default_of_pam_pwhistory(tmp_path: Path) -> None:
    facts = M.pwquality(host("weak", _tree(tmp_path, {"/etc/pam.d/common-password": (
        "password required pam_pwhistory.so use_authtok\n"
        "password [success=1 default=ignore] pam_unix.so yescrypt remember=4\n")})))
    assert facts["remember"] == 10 and "remember" in facts["defaults"]


def test_lockout_defaults_conf_argument_and_arguments_win(tmp_path: Path) -> None:
    bare = M.lockout(host("weak", _tree(tmp_path / "a", {
        "/etc/pam.d/common-auth": "auth required pam_faillock.so preauth\n"})))
    assert bare["configured"] is True and bare["deny"] == 3  # faillock locks after 3 by default
    assert bare["defaults"] == ["deny", "fail_interval", "unlock_time"]
    facts = M.lockout(host("weak", _tree(tmp_path / "b", {
        "/etc/pam.d/common-auth": (
            "auth required pam_faillock.so preauth conf=/etc/security/site-faillock.conf\n"
            "auth [default=die] pam_faillock.so authfail deny=10\n"),
        "/etc/security/faillock.conf": "deny = 2\n",
        "/etc/security/site-faillock.conf": "deny = 4\nunlock_time = 0\n"})))
    assert facts["deny"] == 10 and facts["sources"]["deny"] == "/etc/pam.d/common-auth:2"
    assert facts["unlock_time"] == 0  # from the file conf= names; faillock.conf is not read
    tally = M.lockout(host("weak", _tree(tmp_path / "c", {
        "/etc/pam.d/common-auth": "auth required pam_tally2.so onerr=fail\n"})))
    assert tally["configured"] is False and tally["deny"] == 0


def test_useradd_inactive_as_useradd_reads_it(tmp_path: Path) -> None:
    facts = M.accounts(host("weak", _tree(tmp_path, {
        "/etc/default/useradd": "INACTIVE=30\n# INACTIVE=5\nINACTIVE=45 days\n"})))
    assert facts["inactive_days"] == 30  # the refused line leaves the one before it
    assert facts["sources"] == {"inactive_days": "/etc/default/useradd:1"}
    assert facts["ignored_lines"] == [{"keyword": "inactive_days", "value": "45 days",
                                       "source": "/etc/default/useradd:3",
                                       "ignored": "not a number: useradd refuses it"}]
    unset = M.accounts(host("weak", _tree(tmp_path / "b", {
        "/etc/default/useradd": "SHELL=/bin/sh\n"})))
    assert unset["inactive_days"] == -1 and unset["defaults"] == ["inactive_days"]


def test_logrotate_globals_before_the_include_and_maxage(tmp_path: Path) -> None:
    root = _tree(tmp_path, {
        "/etc/logrotate.conf": "weekly\nrotate 4\ninclude /etc/logrotate.d\nrotate 52\n",
        "/etc/logrotate.d/rsyslog": "/var/log/syslog\n{\n  missingok\n}\n",
        "/etc/logrotate.d/rsyslog.dpkg-old": "/var/log/syslog\n{\n  rotate 1\n  daily\n}\n",
        "/etc/logrotate.d/auth": "/var/log/auth.log {\n  daily\n  rotate 400\n  maxage 200\n}\n"})
    facts = M._retention(host("weak", root))
    # rsyslog takes weekly and rotate 4 (rotate 52 comes after the include): 35 days
    assert facts == {"retention_days": 35,
                     "sources": {"retention_days": "/etc/logrotate.conf:2, /etc/logrotate.conf:1"}}
    alone = _tree(tmp_path / "b", {"/etc/logrotate.conf": "include /etc/logrotate.d\n",
                                   "/etc/logrotate.d/rsyslog": "/var/log/messages {\n}\n"})
    assert M._retention(host("weak", alone)) == {"retention_days": 1,
                                                  "defaults": ["retention_days"]}
    # no logrotate.conf: logrotate reads nothing; journald's retention, when written
    journal = _tree(tmp_path / "c", {"/etc/logrotate.d/rsyslog": "/var/log/syslog {\n}\n",
                                     "/etc/systemd/journald.conf": "MaxRetentionSec=120day\n"})
    assert M._retention(host("weak", journal)) == {
        "retention_days": 120, "sources": {"retention_days": "/etc/systemd/journald.conf:1"}}


def test_a_fifo_or_a_folder_in_place_of_a_file_is_not_read(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"/etc/pam.d/common-password": PAM_PWQUALITY})
    os.mkfifo(root / "etc/login.defs")  # opening it for reading would wait for a writer
    (root / "etc/security").mkdir()
    (root / "etc/security/pwquality.conf").mkdir()
    facts = M.collect(host("weak", root))
    assert facts["login_defs"]["pass_max_days"] == -1  # shadow-utils has nothing to read either
    assert facts["pwquality"]["minlen"] == 8
    assert {"path": "/etc/login.defs", "reason": "not a regular file"} in facts["unreadable_files"]
    assert {"path": "/etc/security/pwquality.conf", "reason": "not a regular file"} \
        in facts["unreadable_files"]


def test_sshd_match_blocks_are_run_as_connections(hardened: dict[str, Any]) -> None:
    assert hardened["sshd"]["passwordauthentication"] == "no"
    assert hardened["sshd"]["contexts"] == [{
        "match": "Address 10.20.0.0/24", "source": "/etc/ssh/sshd_config:13", "evaluated": True,
        "connection": "addr=10.20.0.1,host=egov-audit-probe.invalid,laddr=192.0.2.2,lport=65535,"
                      "user=egov-audit-probe",
        "values": {"passwordauthentication": "yes"}}]


@pytest.mark.parametrize(("criteria", "connection"), [
    ("User backup,!root", {"user": "backup"}),
    ("User adm*", {"user": "admx"}),
    ("Address 2001:db8::/32 LocalPort 2200", {"addr": "2001:db8::1", "lport": "2200"}),
    ("LocalAddress 10.0.0.5", {"laddr": "10.0.0.5"}),
    ("User !root", "no connection matches user !root"),  # only negations match nothing
    ("Group nosuchgroup", "no account is in group nosuchgroup"),
    ("RDomain vrf1", "the RDomain criterion is not followed"),
    ("Address 10.0.*", "no connection matches addr 10.0.*"),
])
def test_a_connection_each_match_block_catches(criteria: str, connection: Any) -> None:
    spec, why = M._match_connection(host("hardened"), criteria)
    if isinstance(connection, str):
        assert spec is None and why == connection
    else:
        assert spec == {**M.NEUTRAL_CONNECTION, **connection}


def test_sshd_t_that_needs_a_connection(tmp_path: Path) -> None:
    """`Match LocalPort` makes a bare `sshd -T` fail (OpenSSH 9.2): a connection that no block
    names gives the global settings, not "config invalid"."""
    root = _tree(tmp_path, {"/usr/sbin/sshd": "", "/etc/ssh/sshd_config": (
        "PermitRootLogin no\nMatch LocalPort 2200\n  PermitRootLogin yes\n")})
    answers = {
        "/usr/sbin/sshd -T": (255, "'Match LocalPort' in configuration but 'lport' not in "
                                   "connection test specification.\n"),
        "/usr/sbin/sshd -T -C " + M._spec_arg(M.NEUTRAL_CONNECTION): (0, "permitrootlogin no\n"),
        "/usr/sbin/sshd -T -C " + M._spec_arg({**M.NEUTRAL_CONNECTION, "lport": "2200"}):
            (0, "permitrootlogin yes\n")}
    facts = M.sshd(M.Host(root=str(root), runner=lambda args, timeout: answers[" ".join(args)],
                          euid=0, kernel="k", hostname="h"))
    assert facts["config_valid"] is True and facts["permitrootlogin"] == "no"
    assert facts["contexts"][0]["values"] == {"permitrootlogin": "yes"}


def test_a_group_match_takes_a_member(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"/etc/group": "sshadmins:x:1001:tranthi\nops:x:1002:\n",
                            "/etc/passwd": "nguyenvan:x:1000:1002::/home/n:/bin/bash\n"})
    listed, _ = M._match_connection(host("weak", root), "Group sshadmins")
    primary, _ = M._match_connection(host("weak", root), "Group ops")  # primary group
    both, why = M._match_connection(host("weak", root), "User nguyenvan Group sshadmins")
    assert listed is not None and listed["user"] == "tranthi"
    assert primary is not None and primary["user"] == "nguyenvan"
    assert both is None and why == "no account is in group sshadmins"
