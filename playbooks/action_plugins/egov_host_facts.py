# -*- coding: utf-8 -*-
"""Action plugin for egov_host_facts: runs the module on the host, then writes that host's fact
bundle on the controller at once (atomically), from the controller process itself: no second
task, no module run on the controller per host. Ansible loads it from beside the playbook, so
plain ansible-playbook and AWX write the same bundles as `egov-audit scan`.

With egov_evidence_dir empty (an AWX job template: nothing is written on the execution node),
the facts travel in the task result instead, that is in the job events AWX stores and
ansible-runner writes to its artifacts folder; `egov-audit evaluate --evidence ARTIFACTS`
reads them from there."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import datetime
import json
import os
import tempfile
from typing import Any, Dict, Optional

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase

SCHEMA = "egov-audit/fact-bundle@1"


def _write_atomic(directory: str, name: str, data: Dict[str, Any]) -> str:
    if "/" in name or name in ("", ".", ".."):
        raise AnsibleActionFail("host name %r cannot name an evidence file" % name)
    if not os.path.isdir(directory):
        os.makedirs(directory, mode=0o750)
    target = os.path.join(directory, name + ".json")
    fd, tmp = tempfile.mkstemp(prefix="." + name + ".", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "w") as handle:
            json.dump(data, handle, ensure_ascii=False, indent=2, sort_keys=True)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o640)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return target


class ActionModule(ActionBase):
    TRANSFERS_FILES = False

    def run(self, tmp: Optional[str] = None,
            task_vars: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
        task_vars = task_vars or {}
        result = super(ActionModule, self).run(tmp, task_vars)
        # the module of the same name as the action, as it was called: beside the playbook
        # (egov_host_facts) or from the installed collection (egov.audit.egov_host_facts)
        module = self._execute_module(module_name=self._task.action, module_args={},
                                      task_vars=task_vars)
        if module.get("failed") or "egov_facts" not in module:
            result.update(module)
            result["failed"] = True
            return result
        directory = self._templar.template(task_vars.get("egov_evidence_dir", ""))
        host = task_vars["inventory_hostname"]
        now = datetime.datetime.now(datetime.timezone.utc)
        bundle = {"schema": SCHEMA, "host": host, "status": "collected",
                  "collected_at": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
                  "collector": module.get("collector", {}), "facts": module["egov_facts"]}
        if not directory:
            # no folder to write to: the bundle is the task result (the job events)
            result.update({"changed": False, "egov_bundle": bundle})
            return result
        path = _write_atomic(os.path.expanduser(str(directory)), host, bundle)
        # the facts are in the bundle: the task result stays small (events, callbacks, AWX)
        result.update({"changed": False, "egov_bundle": path,
                       "collector": module.get("collector", {})})
        return result
