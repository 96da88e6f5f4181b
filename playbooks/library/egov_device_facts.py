#!/usr/bin/python
# -*- coding: utf-8 -*-
"""egov_device_facts runs on the controller only (its action plugin does the work): this file
documents it and refuses to run anywhere else."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: egov_device_facts
short_description: Read a router's or firewall's configuration and BGP state, secrets removed
description:
  - Runs read-only show commands over the device's network_cli connection (running
    configuration; BGP session states where the platform answers them).
  - Passwords, hashes, SNMP communities, keys and certificates are removed on the controller
    before anything is kept; the device's network fact bundle is written to
    C(egov_evidence_dir)/devices/ or, without that folder, returned in the task result.
  - Supported I(ansible_network_os) values end in C(frr) (egov.audit.frr), C(ios) or C(junos)
    (over network_cli), or C(nftables) (egov.audit.nftables, a Linux firewall read over plain
    SSH with C(nft list ruleset) and C(ip -o address show)); other devices are judged from
    their configuration backups (egov-audit --device-configs).
version_added: 0.2.0
author: egov-audit developers (@egov-audit)
options: {}
notes:
  - Never changes the device. Needs egov-audit installed where the playbook runs.
"""

EXAMPLES = r"""
- name: Read the running configuration and routing state (show commands only)
  egov.audit.egov_device_facts:
"""

RETURN = r"""
egov_device:
  description: The platform, how many lines had secrets removed, how many lines were read.
  type: dict
  returned: always
egov_device_bundle:
  description: The bundle's path, or the bundle itself when no evidence folder is given.
  type: raw
  returned: always
"""

from ansible.module_utils.basic import AnsibleModule


def main() -> None:
    module = AnsibleModule(argument_spec={}, supports_check_mode=True)
    module.fail_json(msg="egov_device_facts runs on the controller through its action plugin")


if __name__ == "__main__":
    main()
