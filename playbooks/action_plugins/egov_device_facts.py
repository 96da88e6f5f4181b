# -*- coding: utf-8 -*-
"""Action plugin for egov_device_facts: runs read-only show commands on a router or firewall
over its network_cli connection, removes every secret on the controller (egov_audit's
parsers), and writes the device's network fact bundle (egov_evidence_dir/devices/<device>.json)
or returns it in the task result (AWX job events) when no folder is given. The raw
configuration never leaves this process: it is not returned, logged or written."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import os
from typing import Any, Dict, Optional

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase


class ActionModule(ActionBase):
    TRANSFERS_FILES = False

    def run(self, tmp: Optional[str] = None,
            task_vars: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
        task_vars = task_vars or {}
        result = super(ActionModule, self).run(tmp, task_vars)
        name = str(task_vars.get("inventory_hostname", ""))
        try:
            from egov_audit.network.live import commands_for, live_bundle
            from egov_audit.network.redact import redact_cisco_like
        except ImportError:
            raise AnsibleActionFail("egov-audit must be installed where this playbook runs: it "
                                    "removes the secrets of a configuration before anything is "
                                    "kept") from None
        network_os = task_vars.get("ansible_network_os")
        commands = commands_for(network_os)
        if commands is None:
            raise AnsibleActionFail("live collection from ansible_network_os %r is not "
                                    "supported: give its configuration backups "
                                    "(--device-configs)" % (network_os,))
        outputs = {}
        if str(network_os).rsplit(".", 1)[-1] == "nftables":
            # a Linux firewall: plain SSH, read-only commands (become where the inventory asks)
            for key, command in commands.items():
                done = self._low_level_execute_command(command, sudoable=True)
                if done.get("rc") != 0:
                    raise AnsibleActionFail("%s: %s" % (command, " ".join(
                        str(done.get("stderr", "")).split())[:300]))
                outputs[key] = str(done.get("stdout", ""))
        else:
            socket_path = getattr(self._connection, "socket_path", None)
            if not socket_path:
                raise AnsibleActionFail("egov_device_facts needs ansible_connection: "
                                        "ansible.netcommon.network_cli")
            from ansible.module_utils.connection import Connection, ConnectionError

            connection = Connection(socket_path)
            for key, command in commands.items():
                try:
                    outputs[key] = connection.get(command=command)
                except ConnectionError as exc:
                    # the error may quote what the device printed: its secrets go first
                    said = " ".join(redact_cisco_like(str(exc).splitlines()).lines)
                    raise AnsibleActionFail("%s: %s" % (command, said[:300])) from None
        now = datetime.datetime.now(datetime.timezone.utc)
        try:
            bundle = live_bundle(name, outputs, now.strftime("%Y-%m-%dT%H:%M:%SZ"))
        except Exception as exc:  # a parser's error names the problem, never the text
            raise AnsibleActionFail("cannot read the configuration: %s"
                                    % getattr(exc, "message", type(exc).__name__)) from None
        del outputs
        directory = task_vars.get("egov_evidence_dir") or ""
        if directory:
            # the same atomic writer and file layout as evaluate reads (egov_audit's own)
            from egov_audit.errors import EgovAuditError
            from egov_audit.network.evidence import write_device_bundle

            try:
                write_device_bundle(os.path.join(str(directory), "devices"), name, bundle)
            except EgovAuditError as exc:
                raise AnsibleActionFail(str(exc)) from None
            result["egov_device_bundle"] = os.path.join(str(directory), "devices", name + ".json")
        else:
            result["egov_device_bundle"] = bundle
        result["changed"] = False
        result["egov_device"] = {"vendor": bundle["vendor"], "redacted": bundle["redacted"],
                                 "lines": bundle["source"]["lines"]}
        return result
