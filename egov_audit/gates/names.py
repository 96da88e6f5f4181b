"""Names that become file names or Ansible host patterns: agency codes (key files, evidence
folders), host names (evidence files, plays' `hosts:`), key names. One validator each, used by
every command that turns such a name into a path or a pattern."""

from __future__ import annotations

import re

from ..errors import EgovAuditError, Message, UsageError

# the agency schema's pattern: a file name on every system, never "." or "..", no separator
AGENCY_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
# a host name that Ansible reads as exactly one host in a play's `hosts:` (no pattern
# characters: * ? [ ] , : ! & ~ or spaces) and that is a plain file name for its evidence
_ONE_HOST = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,252}")
# what Ansible always reads as more than a name
_RESERVED_HOSTS = frozenset({"all", "ungrouped", "localhost"})


def check_agency_code(code: object, what: str = "agency code",
                      error_cls: type[EgovAuditError] = UsageError) -> str:
    """An agency code that is safe as a file name (keys/<code>.key, evidence/<code>/)."""
    if not isinstance(code, str) or not AGENCY_CODE.fullmatch(code):
        raise error_cls(Message("{what} {code!r} is not valid: letters, digits, '_', '.', '-', "
                                "starting with a letter or digit, at most 64", what=what,
                                code=str(code)[:80]))
    return code


# the control schema's pattern
CONTROL_ID = re.compile(r"[A-Z]+(-[A-Z0-9]+)+")


def check_control_id(control: str) -> str:
    """A control identifier as the catalogue writes them (HOST-SSH-01)."""
    if not CONTROL_ID.fullmatch(control) or len(control) > 64:
        raise UsageError(Message("{control!r} is not a control identifier (such as HOST-SSH-01)",
                                 control=control[:80]))
    return control


def is_file_name(name: str) -> bool:
    """A single path component, not hidden, no control character: `<name>.json` stays in its
    folder."""
    return (0 < len(name) <= 255 and "/" not in name and "\\" not in name and "\x00" not in name
            and not name.startswith(".") and name.isprintable())


def is_exact_host(name: str) -> bool:
    """A name that an Ansible play's `hosts:` matches against exactly one inventory host."""
    return bool(_ONE_HOST.fullmatch(name)) and name.lower() not in _RESERVED_HOSTS \
        and not name.startswith(("127.", "::"))
