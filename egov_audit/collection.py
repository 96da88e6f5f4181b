"""The egov.audit Ansible collection, made from the sources the repository already holds:

    playbooks/library/egov_host_facts.py         -> plugins/modules/egov_host_facts.py
    playbooks/module_utils/egov_host_*.py         -> plugins/module_utils/ (imports renamed)
    playbooks/action_plugins/egov_host_facts.py  -> plugins/action/egov_host_facts.py
    playbooks/{library,action_plugins}/egov_device_facts.py -> plugins/{modules,action}/
    playbooks/{library,action_plugins}/egov_facility_facts.py -> plugins/{modules,action}/
    playbooks/{terminal,cliconf}_plugins/frr.py  -> plugins/{terminal,cliconf}/frr.py
    playbooks/collect.yml                        -> playbooks/collect.yml
    playbooks/roles/remediate_*/                 -> roles/remediate_*/
    playbooks/collection/README.md, meta/        -> README.md, meta/
    CHANGELOG.md                                 -> CHANGELOG.md

and galaxy.yml, written here with the tool's own version: the collection and the tool that
writes playbooks for it are always the same release. `build` packs it with `ansible-galaxy
collection build`; `assemble` lays it out in a collections path, which is how `fix --apply` runs
the playbooks it writes (they name the roles by their fully qualified names, as any controller
or AWX would)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path

from .errors import Message, UsageError
from .paths import data_dir, roles_dir

NAMESPACE = "egov"
NAME = "audit"
COLLECTION = f"{NAMESPACE}.{NAME}"
_ROLE_NAME = re.compile(r"[a-z][a-z0-9_]{0,62}")
# PEP 440 as setuptools-scm writes it: X.Y.Z, X.Y.Z.devN, either with +local
_PEP440 = re.compile(r"(\d+)\.(\d+)\.(\d+)(?:\.dev(\d+))?(?:\+([0-9A-Za-z.]+))?")


def role_fqcn(role: str) -> str:
    return f"{COLLECTION}.{role}"


@cache  # the catalogue names ten roles from 33 controls: one look at each
def role_problem(role: str) -> str | None:
    """Why a policy may not name this remediation role (None: it may)."""
    if not _ROLE_NAME.fullmatch(role):
        return f"remediation role {role[:80]!r} is not a role name (lower-case letters, digits, _)"
    if not (roles_dir() / role / "tasks" / "main.yml").is_file():
        return f"remediation role {role!r} does not exist (playbooks/roles/{role}/tasks/main.yml)"
    return None


def semantic_version(version: str) -> str:
    """A Python package version as the semantic version Galaxy requires: 0.1.1.dev3+g557f454
    becomes 0.1.1-dev.3+g557f454 (a pre-release of 0.1.1, as in PEP 440)."""
    match = _PEP440.fullmatch(version)
    if match is None:
        raise UsageError(Message("version {version!r} has no semantic-version form for the "
                                 "collection", version=version))
    major, minor, patch, dev, local = match.groups()
    out = f"{major}.{minor}.{patch}"
    if dev is not None:
        out += f"-dev.{dev}"
    if local:
        out += f"+{local}"
    return out


# the collections its content uses beyond ansible.builtin: the device play connects with
# ansible.netcommon's network_cli (the frr terminal and cliconf plugins are for it); 6.0 is the
# first with ansible-core 2.15's plugin loading (meta/runtime.yml's requires_ansible)
DEPENDENCIES = {"ansible.netcommon": ">=6.0.0"}


def galaxy_data(version: str, repository: str | None = None) -> dict[str, object]:
    """galaxy.yml. `repository`: where this copy's sources are (an agency's or the nation's
    Git server: Galaxy and ansible-lint's production profile ask for it)."""
    data: dict[str, object] = {
        "namespace": NAMESPACE, "name": NAME, "version": semantic_version(version),
        "readme": "README.md",
        "authors": ["egov-audit developers"],
        "description": "Read-only evidence collection from hosts and remediation roles for "
                       "egov-audit, the compliance audit of Vietnamese government agencies",
        "license": ["Apache-2.0"],
        "tags": ["compliance", "security", "audit", "linux", "egov"],
        "dependencies": dict(DEPENDENCIES),
        "build_ignore": ["**/__pycache__", "*.pyc"],
    }
    if repository:
        data.update(repository=repository, issues=f"{repository.rstrip('/')}/issues",
                    documentation=f"{repository.rstrip('/')}/blob/main/docs/AWX.md")
    return data


def repository_problem(url: str) -> str | None:
    """Why `url` cannot be the collection's repository (None: it can)."""
    if not re.fullmatch(r"https://[A-Za-z0-9.-]+(:\d{1,5})?(/[A-Za-z0-9._~/-]*)?", url) or \
            len(url) > 200:
        return "not an https:// address of a repository"
    return None


def _files() -> Iterator[tuple[Path, str]]:
    """(source, path inside the collection) of every file the collection holds."""
    playbooks = data_dir("playbooks")
    yield playbooks / "library" / "egov_host_facts.py", "plugins/modules/egov_host_facts.py"
    for source in sorted((playbooks / "module_utils").glob("*.py")):
        yield source, f"plugins/module_utils/{source.name}"
    yield playbooks / "action_plugins" / "egov_host_facts.py", "plugins/action/egov_host_facts.py"
    yield playbooks / "library" / "egov_device_facts.py", "plugins/modules/egov_device_facts.py"
    yield (playbooks / "action_plugins" / "egov_device_facts.py",
           "plugins/action/egov_device_facts.py")
    yield (playbooks / "library" / "egov_facility_facts.py",
           "plugins/modules/egov_facility_facts.py")
    yield (playbooks / "action_plugins" / "egov_facility_facts.py",
           "plugins/action/egov_facility_facts.py")
    yield playbooks / "terminal_plugins" / "frr.py", "plugins/terminal/frr.py"
    yield playbooks / "cliconf_plugins" / "frr.py", "plugins/cliconf/frr.py"
    yield playbooks / "collect.yml", "playbooks/collect.yml"
    yield data_dir("CHANGELOG.md"), "CHANGELOG.md"
    for source in sorted((playbooks / "collection").rglob("*")):
        if source.is_file():
            yield source, source.relative_to(playbooks / "collection").as_posix()
    for source in sorted(roles_dir().rglob("*.yml")):
        yield source, "roles/" + source.relative_to(roles_dir()).as_posix()


# beside a playbook, Ansible merges module_utils/ into ansible.module_utils; in a collection
# they are the collection's own, imported by their full name
_LOCAL_UTILS = "from ansible.module_utils.egov_"
_COLLECTION_UTILS = f"from ansible_collections.{NAMESPACE}.{NAME}.plugins.module_utils.egov_"


def collection_imports(source: str) -> str:
    """A module or module_utils file as the collection ships it: its own module_utils
    imported by the collection's name."""
    return source.replace(_LOCAL_UTILS, _COLLECTION_UTILS)


def assemble(collections_path: Path, version: str, repository: str | None = None) -> Path:
    """Lay the collection out under `collections_path` (ansible_collections/egov/audit) and
    return its root. Only the files listed in `_files` are copied: no cache, no stray file."""
    # off the cold start every command pays (tests/unit/test_cache.py)
    import shutil

    # off the cold start every command pays (tests/unit/test_cache.py)
    from .yamlsource import dump_yaml

    root = collections_path / "ansible_collections" / NAMESPACE / NAME
    if root.exists():
        shutil.rmtree(root)
    for source, target in _files():
        (root / target).parent.mkdir(parents=True, exist_ok=True)
        if source.suffix == ".py" and target.startswith("plugins/"):
            (root / target).write_text(collection_imports(source.read_text("utf-8")), "utf-8")
        else:
            shutil.copyfile(source, root / target)
    (root / "galaxy.yml").write_text("---\n" + dump_yaml(galaxy_data(version, repository)),
                                     encoding="utf-8")
    return root


def build(version: str, workdir: Path, repository: str | None = None) -> Path:
    """The collection artifact (egov-audit-X.Y.Z.tar.gz), built by `ansible-galaxy collection
    build` in `workdir` (the caller writes it where it belongs, through the output gate)."""
    # only when a playbook runs
    import subprocess
    import sys

    root = assemble(workdir / "layout", version, repository)
    output_dir = workdir / "dist"
    output_dir.mkdir()
    # ansible-galaxy of the ansible-core this Python imports: no PATH to get wrong
    proc = subprocess.run([sys.executable, "-m", "ansible.cli.galaxy", "collection", "build",
                           str(root), "--output-path", str(output_dir), "--force"],
                          capture_output=True, text=True, timeout=300, check=False,
                          cwd=workdir)
    artifact = output_dir / f"{NAMESPACE}-{NAME}-{semantic_version(version)}.tar.gz"
    if proc.returncode != 0 or not artifact.is_file():
        last = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no output"]
        raise UsageError(Message("ansible-galaxy collection build failed: {last}",
                                 last=last[0][:300]))
    return artifact
