# -*- coding: utf-8 -*-
"""network_cli terminal plugin for FRRouting's vtysh (a login shell of `vtysh`): how its prompt
and its errors look. The frr.frr collection is no longer part of the `ansible` package, so
egov.audit carries the little that read-only collection needs (ansible_network_os:
egov.audit.frr)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
from typing import ClassVar, List, Pattern

from ansible.errors import AnsibleConnectionFailure
from ansible_collections.ansible.netcommon.plugins.plugin_utils.terminal_base import TerminalBase


class TerminalModule(TerminalBase):
    terminal_stdout_re: ClassVar[List[Pattern[bytes]]] = [
        re.compile(rb"[\r\n]?[\w+\-.:/\[\]]+(?:\([^)]+\))?[>#] ?$"),
    ]
    terminal_stderr_re: ClassVar[List[Pattern[bytes]]] = [
        re.compile(rb"% Unknown command", re.I),
        re.compile(rb"% Command incomplete", re.I),
        re.compile(rb"% Ambiguous command", re.I),
        re.compile(rb"% There is no matched command", re.I),
        re.compile(rb"% Can't open configuration file", re.I),
    ]

    def on_open_shell(self) -> None:
        try:
            self._exec_cli_command(b"terminal length 0")
        except AnsibleConnectionFailure as exc:
            raise AnsibleConnectionFailure("unable to set terminal parameters") from exc
