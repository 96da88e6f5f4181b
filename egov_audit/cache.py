"""What a cold start would otherwise redo at every run, kept on disk: the compiled catalogue
(reading, schema-checking and cross-checking its YAML costs more than the rest of a one-agency
`validate`) and the Python code fastjsonschema generates for each schema.

Each entry's key changes with anything that could change it. A catalogue: the bytes of every
policy and reference-model file, this egov-audit's version, the Python that wrote it, the
egov_audit code itself (each module's size and modification time: a checkout changes without a
new version), the remediation roles that ship with it, and where the files are (a control keeps
its file:line). A schema's code: the schema, the
fastjsonschema version and the Python.

Entries are pickled (the catalogue) or marshalled (code), and loading either runs what the file
says, so the cache is trusted exactly as far as Python's own __pycache__: a folder owned by the
user running egov-audit and writable by nobody else, files owned by that user, written whole
(rename), never followed through a symbolic link. Anything else is a miss, and the work is done
as without a cache.

`EGOV_AUDIT_CACHE_DIR` moves the cache (default `$XDG_CACHE_HOME/egov-audit`, else
`~/.cache/egov-audit`); `EGOV_AUDIT_CACHE_DIR=off` turns it off."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib.util
import marshal
import os
import pickle
import stat
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import CodeType
from typing import TypeVar

from ._version import __version__
from .paths import PACKAGE, roles_dir

T = TypeVar("T")
KEEP = {"catalogue": 8, "schema": 64}  # entries kept of each kind (tests load variants)


def cache_dir() -> Path | None:
    """Where entries are kept; None when the cache is off."""
    chosen = os.environ.get("EGOV_AUDIT_CACHE_DIR")
    if chosen == "off":
        return None
    if chosen:
        return Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "egov-audit"


# -- the gate: only our own, private files are read back ----------------------------------------

def _owned_by_me(st: os.stat_result) -> bool:
    return st.st_uid == os.geteuid() and not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _trusted_folder(folder: Path) -> bool:
    try:
        st = os.lstat(folder)
    except OSError:
        return False
    return stat.S_ISDIR(st.st_mode) and _owned_by_me(st)


def _read(folder: Path, name: str) -> bytes | None:
    if not _trusted_folder(folder):
        return None
    try:
        fd = os.open(folder / name, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        return None
    with os.fdopen(fd, "rb") as handle:
        st = os.fstat(handle.fileno())
        if not stat.S_ISREG(st.st_mode) or not _owned_by_me(st):
            return None
        return handle.read()


def _write(folder: Path, kind: str, name: str, data: bytes) -> None:
    with contextlib.suppress(OSError):
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    if not _trusted_folder(folder):
        return
    import tempfile  # only when writing: a hit, the usual case, does not pay its import

    temp = None
    try:
        handle, temp = tempfile.mkstemp(dir=folder, prefix=".tmp-")  # mode 0600
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temp, folder / name)
    except OSError:
        if temp is not None:
            with contextlib.suppress(OSError):
                os.unlink(temp)
        return
    entries = sorted(folder.glob(f"{kind}-*"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in entries[KEEP[kind]:]:
        with contextlib.suppress(OSError):
            old.unlink()


# -- the compiled catalogue ----------------------------------------------------------------------

def _walk(folder: Path, suffixes: tuple[str, ...]) -> Iterator[tuple[str, str]]:
    """Each file under `folder` with one of `suffixes`, in a stable order: its path relative to
    `folder` (POSIX form) and its full path. Plain strings: this runs at every start, over the
    package's hundred modules, where Path objects cost a cold validate 3 ms."""
    root = os.fspath(folder)
    for base, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in ("__pycache__", "_data"))
        relative = os.path.relpath(base, root).replace(os.sep, "/")
        prefix = "" if relative == "." else relative + "/"
        for name in sorted(names):
            if name.endswith(suffixes):
                yield prefix + name, os.path.join(base, name)


def catalogue_key(policies_dir: Path, models_dir: Path) -> str:
    """What a loaded catalogue depends on, as one digest."""
    digest = hashlib.sha256(f"egov-audit {__version__}\npython {sys.version}\n".encode())
    for relative, path in _walk(PACKAGE, (".py",)):
        st = os.stat(path)
        digest.update(f"{relative}:{st.st_size}:{st.st_mtime_ns}\n".encode())
    roles = roles_dir()
    names = sorted(p.name for p in roles.iterdir() if (p / "tasks" / "main.yml").is_file()) \
        if roles.is_dir() else []
    digest.update(("roles:" + ",".join(names) + "\n").encode())
    for label, folder in (("policies", policies_dir), ("models", models_dir)):
        # where the files are, too: each control keeps its file:line for the messages
        digest.update(f"{label} at {folder.resolve()}\n".encode())
        for relative, path in _walk(folder, (".yml", ".yaml")):
            with open(path, "rb") as handle:
                content = handle.read()
            digest.update(f"{label}/{relative}:{len(content)}\n".encode())
            digest.update(content)
    return digest.hexdigest()


def catalogue(policies_dir: Path, models_dir: Path, load: Callable[[], T], kind: type[T]) -> T:
    """The catalogue `load()` would return, from the cache when this exact one was loaded
    before."""
    folder = cache_dir()
    if folder is None:
        return load()
    name = f"catalogue-{catalogue_key(policies_dir, models_dir)}.pickle"
    data = _read(folder, name)
    if data is not None:
        with contextlib.suppress(Exception):  # a damaged entry is a miss, whatever it raised
            found = pickle.loads(data)
            if isinstance(found, kind):
                return found
    value = load()
    with contextlib.suppress(pickle.PicklingError, TypeError, AttributeError):
        _write(folder, "catalogue", name, pickle.dumps(value, pickle.HIGHEST_PROTOCOL))
    return value


# -- code generated for a schema -----------------------------------------------------------------

@functools.cache
def _installed(package: str) -> str:
    """Which copy of an installed package this is, without importing it (fastjsonschema's import
    is most of what a hit saves): its files' place, sizes and times, as catalogue_key reads
    ours, so an upgrade or a reinstall is a new key."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return "missing"
    folder = Path(next(iter(spec.submodule_search_locations)))
    lines = [str(folder)]
    for relative, path in _walk(folder, (".py",)):
        st = os.stat(path)
        lines.append(f"{relative}:{st.st_size}:{st.st_mtime_ns}")
    return "\n".join(lines)


def schema_code(key_text: str, generate: Callable[[], tuple[str, str]]) -> tuple[str, CodeType]:
    """The module fastjsonschema generates for the schema and options `key_text` names, compiled,
    and the name of its validating function (`generate()` returns both, the module as source)."""
    folder = cache_dir()
    digest = hashlib.sha256(f"fastjsonschema {_installed('fastjsonschema')}\n"
                            f"python {sys.version}\n{key_text}".encode()).hexdigest()
    name = f"schema-{digest}.marshal"
    data = _read(folder, name) if folder is not None else None
    if data is not None:
        with contextlib.suppress(Exception):  # a damaged entry is a miss, whatever it raised
            function, code = marshal.loads(data)
            if isinstance(function, str) and isinstance(code, CodeType):
                return function, code
    function, source = generate()
    code = compile(source, f"<fastjsonschema {digest[:12]}>", "exec")
    if folder is not None:
        _write(folder, "schema", name, marshal.dumps((function, code)))
    return function, code
