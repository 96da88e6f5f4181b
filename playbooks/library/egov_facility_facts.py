#!/usr/bin/python
# -*- coding: utf-8 -*-
"""egov_facility_facts runs on the controller only (its action plugin does the work): this file
documents it and refuses to run anywhere else."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: egov_facility_facts
short_description: Read a UPS or server-room sensor over SNMPv3 (GET and WALK only)
description:
  - Reads UPS-MIB (RFC 1628; battery status, estimated minutes remaining, output source,
    alarms) and ENTITY-SENSOR-MIB (RFC 3433; temperature, humidity) from the host's
    C(ansible_host), from the controller, with SNMPv3 authentication and privacy (authPriv).
  - Credentials come from the inventory variables C(snmp_user), C(snmp_auth_protocol),
    C(snmp_auth_password), C(snmp_priv_protocol), C(snmp_priv_password) (Ansible Vault or an
    environment lookup); they are never returned, logged or written.
  - The device's facility fact bundle is written to C(egov_evidence_dir)/facility/ or, without
    that folder, returned in the task result.
version_added: 0.2.0
author: egov-audit developers (@egov-audit)
options: {}
notes:
  - Never changes the device (no SET). Needs egov-audit (and pysnmp) installed where the
    playbook runs.
"""

EXAMPLES = r"""
- name: Read the UPS and room sensors over SNMPv3 (GET and WALK only)
  egov.audit.egov_facility_facts:
"""

RETURN = r"""
egov_facility:
  description: What was read, in short (UPS present, number of sensors).
  type: dict
  returned: always
egov_facility_bundle:
  description: The bundle's path, or the bundle itself when no evidence folder is given.
  type: raw
  returned: always
"""

from ansible.module_utils.basic import AnsibleModule


def main() -> None:
    module = AnsibleModule(argument_spec={}, supports_check_mode=True)
    module.fail_json(msg="egov_facility_facts runs on the controller through its action plugin")


if __name__ == "__main__":
    main()
