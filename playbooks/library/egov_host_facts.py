#!/usr/bin/python
# -*- coding: utf-8 -*-
"""Ansible module: gather, in one run and read-only, every fact the egov-audit host controls need.

Runs on the audited host with only the Python standard library (3.6+). It never changes the host
and never returns a secret: no password hash, no key material, no token, only derived booleans,
counts, names and settings. Everything it returns is bounded in size.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: egov_host_facts
short_description: Read-only collection of the facts egov-audit's host controls evaluate
description:
  - Reads OS release, effective sshd settings, password and lockout policy, derived account
    facts, listening sockets, insecure services, host firewall, time synchronisation, log
    forwarding and retention, auditd, session timeout, sensitive file permissions, pending
    security updates (from local package metadata only), anti-malware/EDR presence and
    interface addresses.
  - Never changes the host. Never returns password hashes, keys or tokens.
options: {}
author: egov-audit developers (@egov-audit)
"""

EXAMPLES = r"""
- name: Read the facts the host controls need (changes nothing)
  egov.audit.egov_host_facts:
"""

RETURN = r"""
egov_facts:
  description: The facts, one key per family (sshd, login_defs, lockout, accounts, services,
    time_sync, logging, files, updates...), bounded in size and free of secrets.
  type: dict
  returned: always
collector:
  description: The collector's name and version, how long it took, whether it ran as root.
  type: dict
  returned: always
"""


import threading
import time
from typing import Any, Dict

from ansible.module_utils.basic import AnsibleModule

# one module_utils file per fact family (policies/host/*.yml): Ansible sends each with the module
from ansible.module_utils.egov_host_accounts import accounts
from ansible.module_utils.egov_host_common import Facts, Host, os_release, processes, text
from ansible.module_utils.egov_host_files import files
from ansible.module_utils.egov_host_lockout import lockout
from ansible.module_utils.egov_host_logging import auditd, logging_facts
from ansible.module_utils.egov_host_password import login_defs, pwquality
from ansible.module_utils.egov_host_services import (
    antimalware,
    firewall,
    interfaces,
    services,
    session_timeout,
    updates,
)
from ansible.module_utils.egov_host_ssh import sshd
from ansible.module_utils.egov_host_time import time_sync

VERSION = "2"


def collect(host: Host) -> Facts:
    """Every fact, from `host` (the live host, or a saved tree in tests)."""
    # the package query is the one slow part (apt reads every package list): it runs in a
    # thread of its own while everything else is read
    pending: Dict[str, Any] = {}

    def query_packages() -> None:
        try:
            pending["updates"] = updates(host)
        except Exception as exc:  # raised again below, as if it had run in this thread
            pending["error"] = exc

    worker = threading.Thread(target=query_packages)
    worker.start()
    procs = processes(host)
    facts = {
        "os": os_release(host), "sshd": sshd(host), "login_defs": login_defs(host),
        "pwquality": pwquality(host), "lockout": lockout(host), "accounts": accounts(host),
        "services": services(host, procs), "firewall": firewall(host, procs),
        "time_sync": time_sync(host, procs), "logging": logging_facts(host, procs),
        "auditd": auditd(host, procs), "session": session_timeout(host), "files": files(host),
        "antimalware": antimalware(host, procs), "interfaces": interfaces(host),
    }
    worker.join()
    if "error" in pending:
        raise pending["error"]
    facts["updates"] = pending["updates"]
    # files that exist but could not be read (not a regular file, permission denied): what
    # the programs that own them make of them is what the facts above say
    facts["unreadable_files"] = [{"path": text(path, 300), "reason": reason}
                                 for path, reason in sorted(host.unreadable.items())]
    return facts


def main() -> None:
    module = AnsibleModule(argument_spec={}, supports_check_mode=True)
    started = time.time()
    host = Host()
    facts = collect(host)
    module.exit_json(changed=False, egov_facts=facts, collector={
        "name": "egov_host_facts", "version": VERSION,
        "seconds": round(time.time() - started, 3), "as_root": host.euid == 0})


if __name__ == "__main__":
    main()
