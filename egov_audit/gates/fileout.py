"""The one output writer. Every file egov-audit writes (reports, bundles, playbooks, keys,
evidence) goes through `write_output`, which:
- never replaces anything that is not a regular file: a character device or a FIFO
  (`-o /dev/null`, `-o /dev/stdout`) is written into directly; a directory, a block device or a
  socket is refused;
- refuses an output that is one of the command's inputs (or an existing file inside an input
  folder): a report must never overwrite the bundle or inventory it was made from;
- follows a symbolic link to a regular file and replaces the file it points to, keeping the link;
- never replaces a file that holds private key material, whatever its name;
- keeps an existing file's mode (and owner, when run as root); secrets are 0600;
- writes a complete file or nothing: an unnamed temporary file (O_TMPFILE) is linked in at the
  end, so a failed or killed write leaves no temporary file behind.
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from ..errors import EgovAuditError, Message, ReportError
from .keys import SNIFF_BYTES, holds_private_key

SECRET_MODE = 0o600
DEFAULT_MODE = 0o644


def _same_file(a: os.stat_result, b: os.stat_result) -> bool:
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


def _check_not_input(path: Path, st: os.stat_result | None, inputs: Iterable[Path],
                     error_cls: type[EgovAuditError]) -> None:
    real = Path(os.path.realpath(path))
    for given in inputs:
        try:
            input_st = os.stat(given)
        except OSError:
            continue
        if st is not None and _same_file(st, input_st):
            raise error_cls(Message("the output is one of the inputs ({given}): refusing to "
                                    "overwrite it", given=given), file=str(path))
        if stat.S_ISDIR(input_st.st_mode) and st is not None:
            root = Path(os.path.realpath(given))
            if real.is_relative_to(root):
                raise error_cls(Message("the output is a file inside an input ({given}): refusing"
                                        " to overwrite it", given=given), file=str(path))


def _check_not_a_key(path: Path, error_cls: type[EgovAuditError]) -> None:
    """An existing regular file about to be replaced must not hold private key material,
    whatever its name (`sign -o other-agency.key` would destroy that agency's key)."""
    try:
        with open(path, "rb") as existing:
            head = existing.read(SNIFF_BYTES)
    except OSError:
        return  # unreadable: the write below says why, if it fails
    if holds_private_key(head.decode("latin-1")):
        raise error_cls(Message("holds private key material: refusing to replace it"),
                        file=str(path))


def _open_special(path: Path, st: os.stat_result, error_cls: type[EgovAuditError]) -> int:
    """Open a character device or a FIFO to write into it as it is (never replace the node)."""
    flags = os.O_WRONLY | getattr(os, "O_CLOEXEC", 0)
    if stat.S_ISFIFO(st.st_mode):
        flags |= os.O_NONBLOCK  # no reader: fail at once instead of blocking forever
    try:
        fd = os.open(path, flags)
        if stat.S_ISFIFO(st.st_mode):
            os.set_blocking(fd, True)
    except OSError as exc:
        raise error_cls(Message("cannot write: {value}", value=exc.strerror or exc),
                        file=str(path)) from None
    return fd


def _temporary(directory: Path, mode: int) -> tuple[int, str | None]:
    """An unnamed file in `directory` where the system has O_TMPFILE, else a named one."""
    if hasattr(os, "O_TMPFILE"):
        try:
            return os.open(directory, os.O_TMPFILE | os.O_WRONLY | os.O_CLOEXEC, mode), None
        except OSError:
            pass  # a file system without O_TMPFILE
    import tempfile  # only here: it imports shutil, random and more (a cold start pays them)

    fd, name = tempfile.mkstemp(prefix=".egov-audit-", suffix=".tmp", dir=directory)
    return fd, name


def _link_unnamed(fd: int, target: Path | str) -> None:
    """Give an O_TMPFILE file its name: linkat(AT_SYMLINK_FOLLOW) of /proc/self/fd/N. (os.link
    calls plain link(2) unless a directory descriptor is given, and link(2) would try to
    hard-link the /proc symlink itself.)"""
    proc = os.open("/proc/self/fd", os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        os.link(str(fd), target, src_dir_fd=proc, follow_symlinks=True)
    finally:
        os.close(proc)


def write_output(path: Path, content: str | bytes, *, inputs: Iterable[Path] = (),
                 secret: bool = False, exclusive: bool = False, mode: int | None = None,
                 error_cls: type[EgovAuditError] = ReportError) -> None:
    """Write `content` to `path` safely (see the module's docstring). `exclusive`: refuse an
    existing file (keys are never replaced)."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    with open_output(path, inputs=inputs, secret=secret, exclusive=exclusive, mode=mode,
                     error_cls=error_cls) as out:
        out.write(data)


@contextmanager
def open_output(path: Path, *, inputs: Iterable[Path] = (), secret: bool = False,
                exclusive: bool = False, mode: int | None = None,
                error_cls: type[EgovAuditError] = ReportError) -> Iterator[BinaryIO]:
    """`write_output` for what is written as it is made (a result bundle of tens of thousands
    of hosts): the same checks first, then a file to write into; the file appears under its
    name complete, when the block ends without an error, or not at all."""
    try:
        st: os.stat_result | None = os.stat(path)  # follows links: what would be written
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise error_cls(Message("cannot write: {value}", value=exc.strerror or exc),
                        file=str(path)) from None
    _check_not_input(path, st, inputs, error_cls)
    if st is not None:
        if exclusive:
            raise error_cls(Message("exists: refusing to replace it"), file=str(path))
        if stat.S_ISCHR(st.st_mode) or stat.S_ISFIFO(st.st_mode):
            fd = _open_special(path, st, error_cls)
            try:
                with os.fdopen(fd, "wb", closefd=False) as out:
                    yield out
            except OSError as exc:
                raise error_cls(Message("cannot write: {value}", value=exc.strerror or exc),
                                file=str(path)) from None
            finally:
                os.close(fd)
            return
        if not stat.S_ISREG(st.st_mode):
            kind = "a directory" if stat.S_ISDIR(st.st_mode) else "not a regular file"
            raise error_cls(Message("{kind}: refusing to replace it", kind=kind), file=str(path))
        _check_not_a_key(path, error_cls)
    elif os.path.islink(path):  # a dangling link: writing through it would create its target
        raise error_cls(Message("a dangling symbolic link: refusing to write through it"),
                        file=str(path))
    target = Path(os.path.realpath(path)) if st is not None else path
    final_mode = SECRET_MODE if secret else (
        mode if mode is not None else (stat.S_IMODE(st.st_mode) if st else DEFAULT_MODE))
    directory = target.parent if str(target.parent) else Path(".")
    try:
        fd, named = _temporary(directory, SECRET_MODE)
    except OSError as exc:
        raise error_cls(Message("cannot write: {value}", value=exc.strerror or exc),
                        file=str(path)) from None
    linked: str | None = named
    try:
        try:
            with os.fdopen(fd, "wb", closefd=False) as out:
                yield out
            os.fsync(fd)
            os.fchmod(fd, final_mode)
            if st is not None and os.geteuid() == 0 and not secret:
                os.fchown(fd, st.st_uid, st.st_gid)  # root rewriting a user's file keeps it theirs
            if named is None:
                if st is None or exclusive:
                    # no file yet: link the finished file in under its name, atomically
                    _link_unnamed(fd, target)
                    return
                linked = os.path.join(directory, f".{target.name}.{os.getpid()}.tmp")
                _link_unnamed(fd, linked)
            assert linked is not None
            if exclusive:
                os.link(linked, target)  # fails if it appeared meanwhile
                os.unlink(linked)
                linked = None
                return
            os.replace(linked, target)
            linked = None
        finally:
            os.close(fd)
    except FileExistsError:
        raise error_cls(Message("exists: refusing to replace it"), file=str(path)) from None
    except OSError as exc:
        raise error_cls(Message("cannot write: {value}", value=exc.strerror or exc),
                        file=str(path)) from None
    finally:
        if linked is not None:
            with contextlib.suppress(OSError):
                os.unlink(linked)
