"""Safe, bounded YAML loading that remembers where every value came from.

PyYAML's C parser composes the node tree; we construct plain data from it ourselves so that we
can (a) refuse anything but plain data (no Python tags: policy files cannot run code),
(b) bound alias expansion (YAML bombs) and nesting depth, (c) reject duplicate keys, and
(d) keep the node tree to answer "which file, line and column declared this value?".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import EgovAuditError, Message
from .gates.filein import read_bytes
from .gates.memory import shortfall

MAX_FILE_BYTES = 16 * 1024 * 1024
MAX_DEPTH = 64
# Alias expansion may not produce more values than this many per byte of the file (plus slack):
# plain YAML needs at least a couple of bytes per value, so more means an alias bomb.
_EXPANSION_PER_BYTE = 1
_EXPANSION_SLACK = 10_000

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_constructor = yaml.constructor.SafeConstructor()

PathKey = str | int
JsonPath = tuple[PathKey, ...]


def format_path(path: Sequence[PathKey]) -> str:
    """('zones', 2, 'subnets', 0) -> 'zones[2].subnets[0]'. A key is someone else's text: it
    is shown at most 40 characters long, the whole path at most 300."""
    out = ""
    for key in path:
        if isinstance(key, int):
            out += f"[{key}]"
        else:
            key = key if len(key) <= 40 else key[:40] + "…"
            out += f".{key}" if out else key
    if len(out) > 300:
        out = out[:299] + "…"
    return out or "(document)"


@dataclass
class SourceFile:
    """One loaded YAML document with its node tree, for locating values."""

    path: Path
    display: str
    data: Any
    root: yaml.Node | None
    # key -> value node, per mapping node, built on first use: locating every host of a
    # 5,000-host inventory must not scan the hosts mapping 5,000 times
    _keys: dict[int, dict[str, yaml.Node]] = field(default_factory=dict, repr=False)

    def _child(self, node: yaml.MappingNode, key: str) -> yaml.Node | None:
        index = self._keys.get(id(node))
        if index is None:
            index = {}
            for key_node, value_node in node.value:
                if isinstance(key_node, yaml.ScalarNode):
                    index.setdefault(key_node.value, value_node)
            self._keys[id(node)] = index
        return index.get(key)

    def locate(self, path: Sequence[PathKey]) -> tuple[int | None, int | None]:
        """1-based line and column of the value at `path`, or of its nearest declared parent."""
        node = self.root
        if node is None:
            return None, None
        best = node
        for key in path:
            nxt: yaml.Node | None = None
            if isinstance(node, yaml.MappingNode):
                nxt = self._child(node, str(key))
            elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) \
                    and 0 <= key < len(node.value):
                nxt = node.value[key]
            if nxt is None:
                break
            node = best = nxt
        mark = best.start_mark
        return mark.line + 1, mark.column + 1

    def error(self, error_cls: type[EgovAuditError], message: str,
              path: Sequence[PathKey] = ()) -> EgovAuditError:
        line, column = self.locate(path)
        return error_cls(message, file=self.display, line=line, column=column,
                         path=format_path(path) if path else None)


def read_text(path: Path, display: str, error_cls: type[EgovAuditError],
              max_bytes: int = MAX_FILE_BYTES) -> str:
    """Read a regular, bounded, UTF-8 text file or raise a one-line error."""
    raw = read_bytes(path, display, error_cls, max_bytes)
    if b"\x00" in raw:
        line = raw.count(b"\n", 0, raw.index(b"\x00")) + 1
        raise error_cls(Message("binary content (NUL byte); expected UTF-8 YAML text"),
                        file=display,
                        line=line)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise error_cls(Message("not valid UTF-8 (byte 0x{raw:02x})", raw=raw[exc.start]),
                        file=display,
                        line=line) from None


def load_yaml(path: Path, display: str, error_cls: type[EgovAuditError]) -> SourceFile:
    """Load one YAML file as plain data (dict/list/str/int/float/bool/None)."""
    text = read_text(path, display, error_cls)
    return parse_yaml(text, path, display, error_cls)


# PyYAML's node tree takes 60 to 140 times the text (each node keeps two marks): at most about
# 400 bytes for each character that can open a node (benchmarks/bench_memory.py)
_NODE_OPENERS = ",:-[{\n"
_PER_NODE = 400
# whatever the machine has: a national plan of 100,000 hosts has about 1,500,000 of them; this
# bounds the node tree at about 1.2 GB
MAX_NODE_OPENERS = 3_000_000


def _check_memory(text: str, display: str, error_cls: type[EgovAuditError]) -> None:
    """Refuse, before composing, a text whose node tree would not fit in what this process may
    still use (a 16 MB flow sequence of zeros would take 2.3 GB)."""
    openers = sum(text.count(c) for c in _NODE_OPENERS)
    if openers > MAX_NODE_OPENERS:
        raise error_cls(Message("more than {limit:,} values (commas, colons, dashes, brackets and "
                                "lines): refused", limit=MAX_NODE_OPENERS), file=display)
    short = shortfall(len(text) * 8 + openers * _PER_NODE)
    if short is not None:
        raise error_cls(Message("would take about {need:,} MB of memory to read, more than the "
                                "{have:,} MB this process may still use", need=short[0],
                                have=short[1]), file=display)


def parse_yaml(text: str, path: Path, display: str,
               error_cls: type[EgovAuditError]) -> SourceFile:
    _check_memory(text, display, error_cls)
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        raise error_cls(Message("invalid YAML: {problem}", problem=problem), file=display,
                        line=mark.line + 1 if mark else None,
                        column=mark.column + 1 if mark else None) from None
    except yaml.YAMLError as exc:
        raise error_cls(Message("invalid YAML: {exc}", exc=str(exc).splitlines()[0]),
                        file=display) from None
    except RecursionError:
        raise error_cls(Message("invalid YAML: nesting too deep"), file=display) from None
    if root is None:
        return SourceFile(path, display, None, None)
    builder = _Builder(display, error_cls, len(text) * _EXPANSION_PER_BYTE + _EXPANSION_SLACK)
    data = builder.build(root, 0)
    return SourceFile(path, display, data, root)


_INT = "tag:yaml.org,2002:int"
# the longest text of a 64-bit integer in any YAML 1.1 notation: 64 binary digits with its
# prefix and sign, with room for underscores
MAX_INT_TEXT = 96
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_STR = "tag:yaml.org,2002:str"
_MERGE = "tag:yaml.org,2002:merge"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
# Tags kept as their text: dates stay strings (JSON has no date type), and Ansible's own tags are
# opaque to us (a vaulted value is never decrypted: it is a secret).
_AS_TEXT = {"tag:yaml.org,2002:timestamp", "!unsafe"}
_VAULT = "!vault"


class _Builder:
    def __init__(self, display: str, error_cls: type[EgovAuditError], budget: int) -> None:
        self.display = display
        self.error_cls = error_cls
        self.budget = budget

    def _fail(self, node: yaml.Node, message: str) -> EgovAuditError:
        mark = node.start_mark
        return self.error_cls(message, file=self.display, line=mark.line + 1,
                              column=mark.column + 1)

    def _int(self, node: yaml.ScalarNode) -> int:
        """A YAML integer within 64 bits, bounded before it is converted (5,000 digits made
        int() raise a bare ValueError; hex and binary of any length went through)."""
        if len(node.value) > MAX_INT_TEXT:
            raise self._fail(node, Message("a number of {count:,} characters: at most 64 bits",
                                           count=len(node.value)))
        value = _constructor.construct_yaml_int(node)
        if not -(1 << 63) <= value < 1 << 64:
            raise self._fail(node, Message("a number beyond 64 bits"))
        return int(value)

    def build(self, node: yaml.Node, depth: int) -> Any:
        self.budget -= 1
        if self.budget < 0:
            raise self._fail(node, Message("too many values after alias expansion (YAML bomb?)"))
        if depth > MAX_DEPTH:
            raise self._fail(node, Message("nesting deeper than {max_depth} levels",
                                           max_depth=MAX_DEPTH))
        tag = node.tag
        if isinstance(node, yaml.ScalarNode):
            if tag == _STR:
                return node.value
            if tag == _INT:
                return self._int(node)
            if tag == _NULL:
                return None
            if tag == _BOOL:
                return _constructor.construct_yaml_bool(node)
            if tag == _FLOAT:
                return _constructor.construct_yaml_float(node)
            if tag in _AS_TEXT:
                return node.value
            if tag == _VAULT:
                return "<vault-encrypted>"
            raise self._fail(node, Message("unsupported YAML tag {tag!r}: only plain data is "
                                           "allowed", tag=tag))
        if isinstance(node, yaml.SequenceNode):
            if tag != _SEQ:
                raise self._fail(node, Message("unsupported YAML tag {tag!r}: only plain data is "
                                               "allowed", tag=tag))
            return [self.build(child, depth + 1) for child in node.value]
        if isinstance(node, yaml.MappingNode):
            if tag != _MAP:
                raise self._fail(node, Message("unsupported YAML tag {tag!r}: only plain data is "
                                               "allowed", tag=tag))
            return self._mapping(node, depth)
        raise self._fail(node, Message("unsupported YAML node"))

    def _mapping(self, node: yaml.MappingNode, depth: int) -> dict[Any, Any]:
        out: dict[Any, Any] = {}
        merged: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                sources = value_node.value if isinstance(value_node, yaml.SequenceNode) \
                    else [value_node]
                for source in sources:
                    value = self.build(source, depth + 1)
                    if not isinstance(value, dict):
                        raise self._fail(source, Message("a merge key (<<) needs a mapping"))
                    for k, v in value.items():
                        merged.setdefault(k, v)
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                raise self._fail(key_node, Message("mapping keys must be plain scalars"))
            key = self.build(key_node, depth + 1)
            if key in out:
                raise self._fail(key_node, Message("duplicate key {key!r}", key=key))
            out[key] = self.build(value_node, depth + 1)
        for k, v in merged.items():
            out.setdefault(k, v)
        return out


class LintCleanDumper(yaml.SafeDumper):
    """YAML as yamllint and ansible-lint want it (the playbooks `fix` writes, the collection's
    galaxy.yml): lists indented under their key, every value spelled out (no anchors)."""

    def ignore_aliases(self, data: Any) -> bool:
        return True

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def dump_yaml(data: Any) -> str:
    return yaml.dump(data, Dumper=LintCleanDumper, allow_unicode=True, sort_keys=False,
                     width=100)
