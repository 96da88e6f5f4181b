# -*- coding: utf-8 -*-
"""Action plugin for egov_facility_facts: reads a UPS or room sensor over SNMPv3 from the
controller (GET and WALK only), checks every answer against the MIB, and writes the device's
facility fact bundle (egov_evidence_dir/facility/<device>.json) or returns it in the task
result (AWX job events) when no folder is given. The SNMP credentials are resolved by Ansible
(Vault, environment lookups) and live only for the request: never returned, logged or written."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import os
import re
from typing import Any, Dict, Optional

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase

# "{{ lookup('env', 'UPS_SNMP_AUTH') }}": the variable a missing password was to come from
_ENV_LOOKUP = re.compile(r"""lookup\(\s*['"]env['"]\s*,\s*['"]([A-Za-z_][A-Za-z0-9_]*)['"]""")


class ActionModule(ActionBase):
    TRANSFERS_FILES = False

    def _var(self, task_vars: Dict[str, Any], name: str) -> str:
        value = task_vars.get(name)
        if value is None:
            raise AnsibleActionFail("%s is not set for this facility device" % name)
        return str(self._templar.template(value))

    def _secret(self, task_vars: Dict[str, Any], name: str) -> str:
        """A password: said missing by its name (and, when it comes from an environment
        lookup, by the variable's), never shown; SNMPv3 needs at least 8 characters (RFC 3414;
        pysnmp would divide by an empty one's length)."""
        value = self._var(task_vars, name)
        if len(value) >= 8:
            return value
        raw = task_vars.get(name)
        found = None
        # only a template string is read: a vaulted value (EncryptedString, not a str) is
        # never turned into text here
        if isinstance(raw, str):
            found = _ENV_LOOKUP.search(raw)
        where = (" (from environment variable %s, which is not set)" % found.group(1)
                 if found and not value else "")
        raise AnsibleActionFail("%s is %s for this facility device%s" % (
            name, "empty" if not value else "shorter than SNMPv3's 8 characters", where))

    def run(self, tmp: Optional[str] = None,
            task_vars: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
        task_vars = task_vars or {}
        result = super(ActionModule, self).run(tmp, task_vars)
        name = str(task_vars.get("inventory_hostname", ""))
        try:
            from egov_audit.facility.client import SnmpError, read_device
            from egov_audit.facility.evidence import facility_bundle, write_facility_bundle
            from egov_audit.facility.snmp import AnswerError, Credentials, facility_facts
        except ImportError:
            raise AnsibleActionFail("egov-audit (with pysnmp) must be installed where this "
                                    "playbook runs") from None
        address = self._var(task_vars, "ansible_host")
        port = int(task_vars.get("snmp_port", 161))
        credentials = Credentials(
            self._var(task_vars, "snmp_user"), self._var(task_vars, "snmp_auth_protocol"),
            self._secret(task_vars, "snmp_auth_password"),
            self._var(task_vars, "snmp_priv_protocol"),
            self._secret(task_vars, "snmp_priv_password"))
        timeout = float(task_vars.get("egov_snmp_timeout", 3))
        try:
            scalars, table, names = read_device(address, credentials, port=port,
                                                timeout=timeout)
            facts = facility_facts(scalars, table, names)
        except SnmpError as exc:
            raise AnsibleActionFail("SNMPv3 %s:%d: %s" % (address, port, exc)) from None
        except AnswerError as exc:
            raise AnsibleActionFail("the device's answer breaks its MIB: %s" % exc) from None
        finally:
            del credentials
        now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        bundle = facility_bundle(name, str(task_vars.get("server_room", "")),
                                 str(task_vars.get("role", "")), address, port, facts, now)
        directory = task_vars.get("egov_evidence_dir") or ""
        if directory:
            from egov_audit.errors import EgovAuditError

            try:
                write_facility_bundle(os.path.join(str(directory), "facility"), name, bundle)
            except EgovAuditError as exc:
                raise AnsibleActionFail(str(exc)) from None
            result["egov_facility_bundle"] = os.path.join(str(directory), "facility",
                                                          name + ".json")
        else:
            result["egov_facility_bundle"] = bundle
        result["changed"] = False
        result["egov_facility"] = {"ups": "ups" in facts, "sensors": len(facts["sensors"])}
        return result
