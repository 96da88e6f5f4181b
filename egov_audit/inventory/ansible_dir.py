"""Read an Ansible inventory directory without importing Ansible.

Supports YAML inventory sources at the top of the directory (`hosts.yml`, ...), `group_vars/`
and `host_vars/` in file and directory forms, host ranges (`web[01:03]`), and Ansible's variable
precedence (lowest first):

  inline vars of `all` < inline vars of other groups (by depth, ansible_group_priority, name)
  < group_vars/all < group_vars/<group> (same order) < inline host vars < host_vars/<host>

Top-level variables replace each other (Ansible's default hash_behaviour=replace), so each
variable has exactly one source file, which we keep for error locations.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InventoryError, Message, message_of
from ..gates.names import is_file_name
from ..yamlsource import JsonPath, SourceFile, load_yaml

_VARS_EXTENSIONS = ("", ".yml", ".yaml", ".json")
_SOURCE_EXTENSIONS = (".yml", ".yaml")
_IGNORED_TOP = {"group_vars", "host_vars"}
_RANGE = re.compile(r"\[([0-9a-zA-Z]+):([0-9a-zA-Z]+)(?::([0-9]+))?\]")
_MAX_VARS_FILES = 10_000


@dataclass(frozen=True)
class VarSource:
    """Where a variable's value is declared: the file and the JSON path inside it."""

    source: SourceFile
    path: JsonPath


@dataclass
class Group:
    """An Ansible group as read: its variables (with where each was set), members, children."""

    name: str
    vars: dict[str, Any] = field(default_factory=dict)
    var_sources: dict[str, VarSource] = field(default_factory=dict)
    children: set[str] = field(default_factory=set)
    parents: set[str] = field(default_factory=set)
    hosts: set[str] = field(default_factory=set)
    depth: int = 0
    priority: int = 1


@dataclass
class HostEntry:
    """A host where an inventory file declares it, with its inline variables."""

    name: str
    declared_in: VarSource
    inline_vars: dict[str, Any] = field(default_factory=dict)
    inline_sources: dict[str, VarSource] = field(default_factory=dict)


@dataclass
class ResolvedHost:
    """A host with its variables merged as Ansible merges them, each with its source."""

    name: str
    groups: tuple[str, ...]
    vars: dict[str, Any]
    sources: dict[str, VarSource]
    declared_in: VarSource


@dataclass
class AnsibleInventory:
    """An inventory folder read as Ansible reads it: groups, hosts, files, variables."""

    root: Path
    display_root: str
    groups: dict[str, Group]
    hosts: dict[str, HostEntry]
    files: list[SourceFile]
    all_vars: dict[str, Any]
    all_sources: dict[str, VarSource]
    resolved_hosts: list[ResolvedHost]


def _display(root_display: str, rel: Path) -> str:
    return str(Path(root_display) / rel) if rel != Path(".") else root_display


# a host pattern never names more hosts than this (the whole inventory has the same bound):
# checked on the product of its ranges, before anything is expanded
MAX_RANGE_HOSTS = 100_000


def _range_items(match: re.Match[str]) -> range | list[str]:
    start, end, step_text = match.group(1), match.group(2), match.group(3)
    if step_text is not None and (len(step_text) > 6 or int(step_text) < 1):
        raise ValueError(Message("host range {match!r} has a bad step", match=match.group(0)))
    step = int(step_text) if step_text else 1
    if start.isdigit() and end.isdigit():
        if len(start) > 7 or len(end) > 7 or int(end) < int(start):
            raise ValueError(Message("host range {match!r} is not valid (start 0-9999999, end not"
                                     " below start)", match=match.group(0)))
        return range(int(start), int(end) + 1, step)
    if len(start) == 1 and len(end) == 1 and start.isalpha() and end.isalpha() \
            and start <= end:
        return [chr(c) for c in range(ord(start), ord(end) + 1, step)]
    raise ValueError(Message("host range {match!r} is not valid", match=match.group(0)))


def count_host_pattern(name: str) -> int:
    """How many names a pattern expands to, computed without expanding it."""
    total = 1
    for match in _RANGE.finditer(name):
        total *= len(_range_items(match))
        if total > MAX_RANGE_HOSTS:
            break
    return total


def expand_host_pattern(name: str) -> list[str]:
    """'web[01:03].x' -> ['web01.x', 'web02.x', 'web03.x'] (Ansible's inventory ranges). A
    pattern of more than MAX_RANGE_HOSTS names is refused before any is made."""
    if count_host_pattern(name) > MAX_RANGE_HOSTS:
        raise ValueError(Message("host pattern {name!r} expands to more than {max_range_hosts:,} "
                                 "hosts", name=name[:80], max_range_hosts=MAX_RANGE_HOSTS))
    return _expand(name)


def _expand(name: str) -> list[str]:
    match = _RANGE.search(name)
    if not match:
        return [name]
    head, tail = name[: match.start()], name[match.end():]
    items = _range_items(match)
    if isinstance(items, range):
        width = len(match.group(1)) if match.group(1).startswith("0") else 0
        texts = [str(i).zfill(width) for i in items]
    else:
        texts = items
    out: list[str] = []
    for item in texts:
        out.extend(_expand(head + item + tail))
    return out


class _Reader:
    def __init__(self, root: Path, display_root: str) -> None:
        self.root = root
        self._real_root = Path(os.path.realpath(root))
        self.display_root = display_root
        self.files: list[SourceFile] = []
        self.groups: dict[str, Group] = {"all": Group("all"), "ungrouped": Group("ungrouped")}
        self.groups["all"].children.add("ungrouped")
        self.groups["ungrouped"].parents.add("all")
        self.hosts: dict[str, HostEntry] = {}
        self._listings: dict[str, set[str]] = {}

    def load(self, path: Path) -> SourceFile:
        rel = path.relative_to(self.root)
        shown = _display(self.display_root, rel)
        # every file of an inventory lies inside it: a link to /etc/shadow or to an agency's
        # signing key must never be read (nor packed into a signed bundle, nor echoed in an error)
        if not Path(os.path.realpath(path)).is_relative_to(self._real_root):
            raise InventoryError(Message("a link that leaves the inventory directory: refused"),
                                 file=shown)
        source = load_yaml(path, shown, InventoryError)
        self.files.append(source)
        return source

    # -- inventory sources -------------------------------------------------------------
    def read_sources(self) -> None:
        try:
            entries = sorted(self.root.iterdir())
        except OSError as exc:
            raise InventoryError(Message("cannot list the inventory directory: {value}",
                                         value=exc.strerror or exc),
                                 file=self.display_root) from None
        sources = [p for p in entries if p.name not in _IGNORED_TOP
                   and not p.name.startswith(".") and p.suffix in _SOURCE_EXTENSIONS]
        for path in entries:
            if path.name in ("hosts", "inventory") or path.suffix in (".ini", ".cfg"):
                raise InventoryError(
                    Message("INI inventories are not read directly; convert it once with "
                            "`ANSIBLE_VARS_ENABLED= ansible-inventory -i FILE --list --yaml "
                            "--export > hosts.yml` (group_vars/ and host_vars/ stay as they are),"
                            " then remove FILE"),
                    file=_display(self.display_root, path.relative_to(self.root)))
        if not sources:
            raise InventoryError(Message("no hosts.yml (or other *.yml inventory source) found"),
                                 file=self.display_root)
        for path in sources:
            source = self.load(path)
            data = source.data
            if data is None:
                continue
            if not isinstance(data, dict):
                raise source.error(InventoryError,
                                   Message("an inventory source must be a mapping of group names"))
            for group_name, body in data.items():
                self._group(source, (group_name,), str(group_name), body, parent=None)

    def _group(self, source: SourceFile, path: JsonPath, name: str, body: Any,
               parent: str | None) -> None:
        group = self.groups.setdefault(name, Group(name))
        if parent is not None:
            if name == "all":
                raise source.error(InventoryError, Message("group 'all' cannot be a child group"),
                                                   path)
            self.groups[parent].children.add(name)
            group.parents.add(parent)
        elif name != "all":
            self.groups["all"].children.add(name)
            group.parents.add("all")
        if body is None:
            return
        if not isinstance(body, dict):
            raise source.error(InventoryError, Message("a group must be a mapping with `hosts`, "
                                                       "`vars` or `children`"), path)
        for key, value in body.items():
            if key == "vars":
                if value is None:
                    continue
                if not isinstance(value, dict):
                    raise source.error(InventoryError, Message("group vars must be a mapping"),
                                       (*path, key))
                for var, var_value in value.items():
                    if var == "ansible_group_priority":  # a group attribute, not a variable
                        group.priority = var_value if isinstance(var_value, int) else 1
                        continue
                    group.vars[str(var)] = var_value
                    group.var_sources[str(var)] = VarSource(source, (*path, "vars", var))
            elif key == "hosts":
                self._hosts(source, (*path, "hosts"), group, value)
            elif key == "children":
                if value is None:
                    continue
                if not isinstance(value, dict):
                    raise source.error(InventoryError, Message("`children` must be a mapping of "
                                                               "groups"),
                                       (*path, key))
                for child, child_body in value.items():
                    self._group(source, (*path, "children", child), str(child), child_body,
                                parent=name)
            else:
                raise source.error(InventoryError, Message(
                    "unknown group key {key!r} (expected `hosts`, `vars` or `children`)", key=key),
                    (*path, key))

    def _hosts(self, source: SourceFile, path: JsonPath, group: Group, value: Any) -> None:
        if value is None:
            return
        if not isinstance(value, dict):
            raise source.error(InventoryError, Message("`hosts` must be a mapping of host names"),
                                               path)
        for pattern, host_vars in value.items():
            hpath = (*path, pattern)
            if not isinstance(pattern, str) or not pattern.strip():
                raise source.error(InventoryError, Message("host name {pattern!r} is not valid",
                                                           pattern=pattern), hpath)
            try:
                count = count_host_pattern(pattern)
                if count <= MAX_RANGE_HOSTS and len(self.hosts) + count > MAX_RANGE_HOSTS:
                    raise ValueError(Message("the inventory names more than {max_range_hosts:,} "
                                             "hosts", max_range_hosts=MAX_RANGE_HOSTS))
                names = expand_host_pattern(pattern)
            except ValueError as exc:
                raise source.error(InventoryError, message_of(exc), hpath) from None
            if not is_file_name(names[0]) or any(c.isspace() for c in pattern):
                # its evidence is <name>.json: no separator, no control character, not hidden
                raise source.error(InventoryError, Message("host name {pattern!r} is not valid "
                                                           "(no '/', spaces, control characters "
                                                           "or leading '.')",
                                                           pattern=pattern[:80]), hpath)
            if host_vars is not None and not isinstance(host_vars, dict):
                raise source.error(InventoryError, Message("host vars must be a mapping"), hpath)
            for host_name in names:
                entry = self.hosts.get(host_name)
                if entry is None:
                    entry = self.hosts[host_name] = HostEntry(host_name, VarSource(source, hpath))
                group.hosts.add(host_name)
                for var, var_value in (host_vars or {}).items():
                    entry.inline_vars[str(var)] = var_value
                    entry.inline_sources[str(var)] = VarSource(source, (*hpath, var))

    # -- group_vars / host_vars ----------------------------------------------------------
    def _listing(self, kind: str) -> set[str]:
        """Names in group_vars/ or host_vars/, listed once (not four stats per group and host)."""
        if kind not in self._listings:
            try:
                self._listings[kind] = set(os.listdir(self.root / kind))
            except (FileNotFoundError, NotADirectoryError):
                self._listings[kind] = set()
            except OSError as exc:
                raise InventoryError(Message("cannot list: {value}", value=exc.strerror or exc),
                                     file=_display(self.display_root, Path(kind))) from None
        return self._listings[kind]

    def vars_files(self, kind: str, name: str) -> list[Path]:
        """Ansible's DataLoader.find_vars_files: the first of `name`, `name.yml`, `name.yaml`,
        `name.json` that exists wins (a directory `name/` shadows `name.yml`)."""
        listing = self._listing(kind)
        for ext in _VARS_EXTENSIONS:
            if f"{name}{ext}" not in listing:
                continue
            candidate = self.root / kind / f"{name}{ext}"
            if candidate.is_dir():
                return self._walk(candidate, set())
            return [candidate]
        return []

    def _walk(self, directory: Path, seen: set[tuple[int, int]]) -> list[Path]:
        """Ansible's _get_dir_vars_files: entries in sorted order, files and folders mixed;
        hidden and backup (~) files skipped; folders without an extension recursed into."""
        try:
            st = os.stat(directory)
            entries = sorted(os.listdir(directory))
        except OSError as exc:
            raise InventoryError(Message("cannot read: {value}", value=exc.strerror or exc),
                                 file=str(directory)) from None
        if (st.st_dev, st.st_ino) in seen:  # a symlink loop: do not go round again
            return []
        seen.add((st.st_dev, st.st_ino))
        out: list[Path] = []
        for entry in entries:
            if entry.startswith(".") or entry.endswith("~"):
                continue
            path = directory / entry
            ext = os.path.splitext(entry)[1]
            if not ext and path.is_dir():
                out.extend(self._walk(path, seen))
            elif ext in _VARS_EXTENSIONS and not path.is_dir():
                # Ansible silently skips FIFOs and broken links; we read them, so that the user
                # hears about them (reading refuses anything but a regular file)
                out.append(path)
            if len(out) > _MAX_VARS_FILES:
                raise InventoryError(Message("too many variable files"), file=str(directory))
        return out

    def vars_from_files(self, kind: str, name: str) -> tuple[dict[str, Any],
                                                              dict[str, VarSource]]:
        values: dict[str, Any] = {}
        sources: dict[str, VarSource] = {}
        for path in self.vars_files(kind, name):
            source = self.load(path)
            if source.data is None:
                continue
            if not isinstance(source.data, dict):
                raise source.error(InventoryError, Message("a variables file must be a mapping"))
            for var, value in source.data.items():
                values[str(var)] = value
                sources[str(var)] = VarSource(source, (var,))
        return values, sources


def _compute_depths(groups: dict[str, Group], display_root: str) -> None:
    # Ansible: a child's depth is the longest path from `all`. Cycles are an error.
    state: dict[str, int] = {}

    def visit(name: str, depth: int, stack: tuple[str, ...]) -> None:
        if name in stack:
            raise InventoryError(Message("group cycle: {value}",
                                         value=' -> '.join((*stack, name))),
                                 file=display_root)
        group = groups[name]
        if depth < state.get(name, -1):
            return
        state[name] = group.depth = max(group.depth, depth)
        for child in sorted(group.children):
            visit(child, depth + 1, (*stack, name))

    visit("all", 0, ())


def read_inventory_dir(root: Path, display_root: str | None = None) -> AnsibleInventory:
    display_root = display_root or str(root)
    try:
        is_dir = root.is_dir()
    except OSError as exc:
        raise InventoryError(Message("cannot read: {value}", value=exc.strerror or exc),
                             file=display_root) from None
    if not is_dir:
        raise InventoryError(Message("not an inventory directory") if root.exists() else
                             Message("no such inventory directory"), file=display_root)
    reader = _Reader(root, display_root)
    reader.read_sources()
    groups = reader.groups
    # hosts in no group but `all` itself go to `ungrouped`, as in Ansible
    for host in groups["all"].hosts:
        if not any(host in g.hosts for n, g in groups.items() if n != "all"):
            groups["ungrouped"].hosts.add(host)
    _compute_depths(groups, display_root)

    def sort_key(name: str) -> tuple[int, int, str]:
        return groups[name].depth, groups[name].priority, name

    file_group_vars = {name: reader.vars_from_files("group_vars", name) for name in groups}

    all_vars = dict(groups["all"].vars)
    all_sources = dict(groups["all"].var_sources)
    all_vars.update(file_group_vars["all"][0])
    all_sources.update(file_group_vars["all"][1])

    resolved: list[ResolvedHost] = []
    for host_name in sorted(reader.hosts):
        entry = reader.hosts[host_name]
        direct = [n for n, g in groups.items() if host_name in g.hosts]
        member: set[str] = set()
        pending = list(direct)
        while pending:
            g = pending.pop()
            if g not in member:
                member.add(g)
                pending.extend(groups[g].parents)
        member.add("all")
        ordered = sorted(member - {"all"}, key=sort_key)
        values: dict[str, Any] = dict(groups["all"].vars)
        sources: dict[str, VarSource] = dict(groups["all"].var_sources)
        for g in ordered:
            values.update(groups[g].vars)
            sources.update(groups[g].var_sources)
        values.update(file_group_vars["all"][0])
        sources.update(file_group_vars["all"][1])
        for g in ordered:
            values.update(file_group_vars[g][0])
            sources.update(file_group_vars[g][1])
        values.update(entry.inline_vars)
        sources.update(entry.inline_sources)
        host_file_vars, host_file_sources = reader.vars_from_files("host_vars", host_name)
        values.update(host_file_vars)
        sources.update(host_file_sources)
        resolved.append(ResolvedHost(host_name, tuple(["all", *ordered]), values, sources,
                                     entry.declared_in))

    return AnsibleInventory(root, display_root, groups, reader.hosts, reader.files, all_vars,
                            all_sources, resolved)
