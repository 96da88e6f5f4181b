# -*- coding: utf-8 -*-
"""What every fact family of egov_host_facts shares: the host it reads (its files and
commands, or a saved tree in tests), bounded text, settings files, running processes, the OS.
Standard library only (the audited host's Python, 3.6 and up)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import glob
import os
import pwd
import re
import socket
import stat
import subprocess
from typing import AbstractSet, Any, Callable, Dict, Iterable, Iterator, List, Optional, Tuple

Facts = Dict[str, Any]

MAX_TEXT = 4096
MAX_ITEMS = 256
SYSTEM_UID_MAX = 999


def text(value: Any, limit: int = MAX_TEXT) -> str:
    shown = value if isinstance(value, str) else str(value)
    return shown if len(shown) <= limit else shown[:limit] + "…"


def run_command(args: List[str], timeout: int = 20) -> Tuple[Optional[int], str]:
    """Run a read-only command; (rc, stdout) or (None, '') when it is missing or hangs."""
    try:
        proc = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                              stdin=subprocess.DEVNULL, timeout=timeout,
                              env=dict(os.environ, LC_ALL="C", LANG="C"), check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None, ""
    return proc.returncode, proc.stdout[: 4 << 20].decode("utf-8", "replace")


Runner = Callable[[List[str], int], Tuple[Optional[int], str]]


class Host(object):
    """Where the facts come from. On an audited host: its own files (root "/") and commands.
    In tests: a saved file tree (tests/fixtures/hostfs/<profile>/) and recorded command outputs,
    so every parser runs on any machine in milliseconds. Every file and command the module
    reads goes through here, and only through here."""

    def __init__(self, root: str = "/", runner: Runner = run_command, euid: Optional[int] = None,
                 kernel: Optional[str] = None, hostname: Optional[str] = None) -> None:
        self.root = root
        self.runner = runner
        self.euid = os.geteuid() if euid is None else euid
        self.kernel = os.uname().release if kernel is None else kernel
        self.hostname = socket.gethostname() if hostname is None else hostname
        self.unreadable: Dict[str, str] = {}  # path: why, for files that exist but were not read

    def path(self, path: str) -> str:
        return path if self.root == "/" else os.path.join(self.root, path.lstrip("/"))

    def read(self, path: str, limit: int = 1 << 20) -> Optional[str]:
        """The text of a regular file, or None. Opened without blocking, and only read when it
        is a regular file: a FIFO or a device put where a configuration file belongs (on a
        compromised host) cannot hang the scan. What exists but cannot be read is noted."""
        try:
            fd = os.open(self.path(path), os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
        except (OSError, IOError) as exc:
            if exc.errno not in (errno.ENOENT, errno.ENOTDIR):
                self.note_unreadable(path, os.strerror(exc.errno or 0) or "cannot be opened")
            return None
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                self.note_unreadable(path, "not a regular file")
                return None
            with os.fdopen(fd, "rb") as handle:
                fd = -1
                return handle.read(limit).decode("utf-8", "replace")
        except (OSError, IOError) as exc:
            self.note_unreadable(path, os.strerror(exc.errno or 0) or "cannot be read")
            return None
        finally:
            if fd >= 0:
                os.close(fd)

    def note_unreadable(self, path: str, reason: str) -> None:
        if len(self.unreadable) < 32:
            self.unreadable[path] = text(reason, 100)

    def glob(self, pattern: str) -> List[str]:
        """Paths on the host (not under the test root) matching `pattern`."""
        found = glob.glob(self.path(pattern))
        if self.root == "/":
            return found
        return ["/" + os.path.relpath(p, self.root) for p in found]

    def exists(self, path: str) -> bool:
        return os.path.exists(self.path(path))

    def isdir(self, path: str) -> bool:
        return os.path.isdir(self.path(path))

    def stat(self, path: str) -> os.stat_result:
        return os.stat(self.path(path))

    def run(self, args: List[str], timeout: int = 20) -> Tuple[Optional[int], str]:
        return self.runner(args, timeout)

    def users(self) -> List[Tuple[str, int, str]]:
        """(name, uid, shell) of every account. On the host through NSS (pwd): directory
        accounts count too; in a saved tree from its etc/passwd."""
        if self.root == "/":
            try:
                return [(u.pw_name, u.pw_uid, u.pw_shell) for u in pwd.getpwall()]
            except Exception:
                return []
        out = []
        for line in (self.read("/etc/passwd") or "").splitlines():
            fields = line.split(":")
            if len(fields) >= 7 and fields[2].isdigit():
                out.append((fields[0], int(fields[2]), fields[6]))
        return out


def config_lines(content: Optional[str]) -> Iterator[str]:
    for _number, line in numbered_lines(content):
        yield line


def numbered_lines(content: Optional[str]) -> Iterator[Tuple[int, str]]:
    """(line number, text) of a `key = value` file, comments ('#' to the end) removed."""
    for number, line in enumerate((content or "").splitlines(), start=1):
        line = line.split("#", 1)[0].strip()
        if line:
            yield number, line


COMM_LEN = 15  # the kernel keeps a process name to 15 characters: systemd-timesyncd is
# "systemd-timesyn" in /proc/PID/comm


class Processes(AbstractSet[str]):
    """The names of the running processes. /proc/PID/comm keeps 15 characters, so a longer name
    is looked up by the program its command line started (systemd-journald and
    systemd-journal-upload are both "systemd-journal" in comm)."""

    def __init__(self, names: Iterable[str], long_names: Iterable[str] = ()) -> None:
        self._names = frozenset(name[:COMM_LEN] for name in names)
        self._long = frozenset(long_names)

    def __contains__(self, name: object) -> bool:
        if not isinstance(name, str):
            return False
        return name in self._long if len(name) > COMM_LEN else name in self._names

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


def processes(host: Host) -> Processes:
    names, long_names = [], []
    for comm in host.glob("/proc/[0-9]*/comm"):
        name = (host.read(comm, 256) or "").strip()
        if not name:
            continue
        names.append(name)
        if len(name) == COMM_LEN:  # perhaps cut: the program's own name from its command line
            argv0 = (host.read(comm[: -len("comm")] + "cmdline", 4096) or "").split("\0")[0]
            if argv0:
                long_names.append(os.path.basename(argv0.split()[0]) if argv0.split() else "")
    return Processes(names, long_names)


# -- facts ---------------------------------------------------------------------------------
def os_release(host: Host) -> Facts:
    out = {}
    for line in config_lines(host.read("/etc/os-release")):
        key, _sep, value = line.partition("=")
        if key in ("ID", "VERSION_ID", "PRETTY_NAME", "ID_LIKE"):
            out[key.lower()] = text(value.strip().strip('"'), 200)
    out["kernel"] = text(host.kernel, 200)
    out["hostname"] = text(host.hostname, 255)
    return out


class Settings(object):
    """The settings of one program as it reads them: `read` is called in the order the program
    reads its files and arguments. Each value keeps where it came from (file:line); a value
    that lost to another is kept too, with the reason, so a report can say why. What the
    program uses when nothing is written comes from `facts(defaults)`, marked as a default."""

    def __init__(self) -> None:
        self.values: Facts = {}
        self.sources: Dict[str, str] = {}
        self.ignored: List[Facts] = []

    def read(self, key: str, value: Any, where: str) -> None:
        """A later value replaces an earlier one (login.defs, pwquality, PAM arguments)."""
        if key in self.sources:
            self.lose(key, "a later line wins (%s)" % where)
        self.values[key] = value
        self.sources[key] = where

    def lose(self, key: str, why: str) -> None:
        """The written value of `key` is not used after all, for the reason given."""
        if key in self.sources:
            self.refuse(key, self.values.pop(key), self.sources.pop(key), why)

    def refuse(self, key: str, value: Any, where: str, why: str) -> None:
        """A line the program reads and rejects: the value before it stays."""
        if len(self.ignored) < 32:
            shown = value if isinstance(value, (bool, int)) else text(value, 100)
            self.ignored.append({"keyword": key, "value": shown, "source": where,
                                 "ignored": text(why, 200)})

    def facts(self, defaults: Optional[Facts] = None) -> Facts:
        out = dict(self.values)
        taken = sorted(k for k in (defaults or {}) if k not in out)
        for key in taken:
            out[key] = (defaults or {})[key]
        if self.sources:
            out["sources"] = dict(self.sources)
        if taken:
            out["defaults"] = taken
        if self.ignored:
            out["ignored_lines"] = list(self.ignored)
        return out


def integer(value: str) -> Optional[int]:
    """The whole of `value` as a decimal integer (as strtol with an end check reads it)."""
    return int(value) if re.match(r"^-?\d+$", value) else None


def pam_lines(host: Host) -> List[Tuple[str, str, List[str]]]:
    """(file:line, module, arguments) of every PAM rule in /etc/pam.d, in file order."""
    rules = []
    for path in sorted(host.glob("/etc/pam.d/*")):
        for number, line in numbered_lines(host.read(path)):
            # type [control] or control, then the module and its arguments
            match = re.match(r"^-?\w+\s+(?:\[[^\]]*\]|\S+)\s+(\S+)(.*)$", line)
            if match:
                module = os.path.basename(match.group(1))
                rules.append(("%s:%d" % (path, number), module, match.group(2).split()))
    return rules
