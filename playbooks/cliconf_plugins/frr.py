# -*- coding: utf-8 -*-
"""network_cli cliconf plugin for FRRouting's vtysh: read-only (`show` commands). Changing a
device's configuration is not something egov-audit does, so edit_config refuses."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = """
author: egov-audit developers (@egov-audit)
name: frr
short_description: Read-only cliconf plugin for FRRouting's vtysh
description:
  - Runs show commands on FRRouting over network_cli; refuses configuration changes.
version_added: 0.1.0
"""

import json
import re
from typing import Any, Dict, Optional

from ansible.errors import AnsibleConnectionFailure
from ansible_collections.ansible.netcommon.plugins.plugin_utils.cliconf_base import CliconfBase


class Cliconf(CliconfBase):
    def get_device_info(self) -> Dict[str, Any]:
        info: Dict[str, Any] = {"network_os": "frr"}
        reply = self.get("show version")
        match = re.search(r"FRRouting (\S+)", reply or "")
        if match:
            info["network_os_version"] = match.group(1)
        return info

    def get_config(self, source: str = "running", flags: Any = None, format: Any = None) -> Any:
        if source != "running":
            raise ValueError("fetching configuration from %s is not supported" % source)
        return self.send_command("show running-config")

    def edit_config(self, candidate: Any = None, commit: bool = True, replace: Any = None,
                    comment: Any = None) -> Any:
        raise AnsibleConnectionFailure("egov.audit.frr is read-only: configuration changes "
                                       "are refused")

    def get(self, command: Optional[str] = None, prompt: Any = None, answer: Any = None,
            sendonly: bool = False, newline: bool = True, output: Any = None,
            check_all: bool = False) -> Any:
        if not command:
            raise ValueError("must provide value of command to execute")
        if not command.startswith("show "):
            raise AnsibleConnectionFailure("egov.audit.frr runs show commands only")
        return self.send_command(command=command, prompt=prompt, answer=answer,
                                 sendonly=sendonly, newline=newline, check_all=check_all)

    def get_capabilities(self) -> str:
        result = super(Cliconf, self).get_capabilities()
        result["rpc"] = ["get", "get_config", "get_capabilities"]
        result["device_info"] = self.get_device_info()
        return json.dumps(result)
