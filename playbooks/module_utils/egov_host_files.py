# -*- coding: utf-8 -*-
"""Sensitive file facts (policies/host/files.yml): owners and modes."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import stat

from ansible.module_utils.egov_host_common import (
    Facts,
    Host,
)

# reported under a key without slashes or dots (policies address facts by dotted paths)
SENSITIVE_FILES = {"/etc/shadow": "etc_shadow", "/etc/gshadow": "etc_gshadow",
                   "/etc/passwd": "etc_passwd", "/etc/group": "etc_group",
                   "/etc/ssh/sshd_config": "etc_ssh_sshd_config", "/etc/sudoers": "etc_sudoers"}


def files(host: Host) -> Facts:
    out = {}
    for path, key in SENSITIVE_FILES.items():
        try:
            st = host.stat(path)
        except OSError:
            continue
        mode = stat.S_IMODE(st.st_mode)
        out[key] = {"path": path, "mode": "%04o" % mode, "uid": st.st_uid, "gid": st.st_gid,
                    "world_readable": bool(mode & stat.S_IROTH),
                    "world_writable": bool(mode & stat.S_IWOTH)}
    return out
