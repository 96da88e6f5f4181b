"""egov-audit installs like any Python tool: a wheel built from the repository, installed into a
fresh virtual environment and into a `pip install --user` base, works from any directory. The
policies, reference models, playbooks and Ansible settings come from inside the installed
package, never from this checkout."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from egov_audit import __version__
from tests.helpers import REPO, build_evidence, build_inventory

pytestmark = pytest.mark.slow

# what the repository keeps at its top level and the wheel must carry inside the package
DATA = ("ansible.cfg", "policies", "reference_models", "playbooks")


def _run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None,
         check: bool = True) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True,
                          timeout=600, env={**os.environ, **(env or {})}, check=False)
    if check:
        assert proc.returncode == 0, (args, proc.stdout[-2000:], proc.stderr[-2000:])
    return proc


def _tracked_copy(source: Path) -> Path:
    """The files git tracks, copied (a build leaves nothing in the checkout)."""
    tracked = _run("git", "ls-files", "-z", cwd=REPO).stdout.split("\0")
    for name in filter(None, tracked):
        if (REPO / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            (source / name).write_bytes((REPO / name).read_bytes())
    return source


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A wheel built from the files git tracks (a copy: the build leaves nothing here)."""
    source = _tracked_copy(tmp_path_factory.mktemp("source"))
    out = tmp_path_factory.mktemp("wheel")
    # the copy has no git history: the build gets the checkout's version (from its tags)
    _run(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
         "--wheel-dir", out, source, cwd=source,
         env={"SETUPTOOLS_SCM_PRETEND_VERSION": __version__})
    (built,) = out.glob("egov_audit-*.whl")
    return built


def test_the_wheel_carries_every_data_file(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for top in DATA:
        path = REPO / top
        files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()
                                                and "__pycache__" not in p.parts]
        assert files
        for file in files:
            assert f"egov_audit/_data/{file.relative_to(REPO)}" in names, file
    assert "egov_audit/schemas/fact-bundle.schema.json" in names
    assert "egov_audit/report/templates/report.html.j2" in names


def _environment(root: Path, *venv_args: str) -> Path:
    """A fresh virtual environment whose third-party libraries are this one's (no index is
    reached): a .pth file adds them after its own site-packages, and egov-audit itself must
    come from what is installed into it."""
    subprocess.run([sys.executable, "-m", "venv", *venv_args, str(root)], check=True,
                   timeout=300)
    site = Path(_run(root / "bin" / "python", "-c", "import sysconfig; "
                     "print(sysconfig.get_paths()['purelib'])", cwd=root).stdout.strip())
    (site / "egov-audit-test-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return root


@pytest.fixture(scope="module")
def installs(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Path]]:
    work = tmp_path_factory.mktemp("installs")
    venv = _environment(work / "venv")
    _run(venv / "bin" / "python", "-m", "pip", "install", "--quiet", "--no-deps", "--no-index",
         wheel, cwd=work)
    # --user: a base of its own (PYTHONUSERBASE); user site-packages are visible from an
    # environment that sees the system's
    user_python = _environment(work / "uservenv", "--system-site-packages")
    userbase = work / "userbase"
    _run(user_python / "bin" / "python", "-m", "pip", "install", "--quiet", "--user",
         "--no-deps", "--no-index", wheel, cwd=work, env={"PYTHONUSERBASE": str(userbase)})
    yield {"venv": venv / "bin" / "egov-audit", "user": userbase / "bin" / "egov-audit",
           "userbase": userbase}


@pytest.mark.parametrize("kind", ["venv", "user"])
def test_installed_egov_audit_works_from_any_directory(installs: dict[str, Path], kind: str,
                                                       tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {"PYTHONUSERBASE": str(installs["userbase"]), "PYTHONPATH": ""}
    command = installs[kind]
    assert command.is_file()
    where = _run(command.parent / "python" if kind == "venv" else
                 Path(command.read_text().split("\n", 1)[0][2:]), "-c",
                 "import egov_audit.paths as p; print(p.data_root())", cwd=elsewhere, env=env)
    data_root = Path(where.stdout.strip())
    assert data_root.name == "_data" and REPO not in data_root.parents, data_root
    assert (data_root / "policies" / "host" / "ssh.yml").is_file()
    version = _run(command, "--version", cwd=elsewhere, env=env).stdout
    assert version.startswith(f"egov-audit {__version__}\n") and "+unknown" not in \
        version.splitlines()[0].replace(__version__, ""), version
    # the compiled Vietnamese messages travel with the package
    help_vi = _run(command, "--help", cwd=elsewhere, env={**env, "EGOV_AUDIT_LANG": "vi"})
    assert help_vi.stdout.startswith("Cách dùng:"), help_vi.stdout[:200]

    inventory = build_inventory(tmp_path / "agency")
    evidence = build_evidence(tmp_path / "evidence", inventory,
                              {"set": {"sshd.maxauthtries": 10}}, "web01")
    validated = _run(command, "validate", inventory, "--lang", "en", "--fail-on", "none",
                     cwd=elsewhere, env=env)
    assert "Score" in validated.stdout or "score" in validated.stdout
    _run(command, "evaluate", inventory, "--evidence", evidence, "-f", "json", "-o",
         tmp_path / "bundle.json", "--fail-on", "none", cwd=elsewhere, env=env)
    _run(command, "fix", tmp_path / "bundle.json", "--inventory", inventory, "--evidence",
         evidence, "--max-age", "100000", "-o", tmp_path / "remediation.yml", cwd=elsewhere,
         env=env)  # the fixture evidence is old
    playbook = (tmp_path / "remediation.yml").read_text()
    assert "HOST-SSH-03" in playbook
    assert "egov.audit.remediate_sshd" in playbook
    assert str(data_root) not in playbook and str(REPO) not in playbook
    # the installed tool builds the collection the playbook names; installed from that
    # artifact, the playbook and the collection's own playbook are valid for Ansible
    _run(command, "collection", "build", "-o", tmp_path / "dist", cwd=elsewhere, env=env)
    (artifact,) = (tmp_path / "dist").glob("egov-audit-*.tar.gz")
    bin_dir = Path(sys.executable).parent
    ansible_env = {"ANSIBLE_CONFIG": str(data_root / "ansible.cfg"),
                   "ANSIBLE_HOME": str(tmp_path / "ansible-home"),
                   "ANSIBLE_COLLECTIONS_PATH": str(tmp_path / "collections")}
    _run(bin_dir / "ansible-galaxy", "collection", "install", "--offline", "-p",
         tmp_path / "collections", artifact, cwd=elsewhere, env=ansible_env)
    for book in (str(tmp_path / "remediation.yml"), "egov.audit.collect"):
        _run(bin_dir / "ansible-playbook", "--syntax-check", "-i", "localhost,", book,
             cwd=elsewhere, env=ansible_env)


def test_ansible_playbook_is_found_in_the_user_scheme_off_path(tmp_path: Path) -> None:
    """`pip install --user` puts ansible-core's ansible-playbook into the user base's bin
    folder, often not on PATH: the tool looks there (beside the interpreter, the scheme's
    scripts, the user scheme's), and the one it finds runs; with none anywhere it says where
    it looked instead of only "install ansible-core"."""
    userbase = tmp_path / "userbase"
    user_bin = Path(sysconfig.get_path("scripts", "posix_user",
                                       vars={"userbase": str(userbase)}))
    user_bin.mkdir(parents=True)
    real = Path(sys.executable).parent / "ansible-playbook"
    (user_bin / "ansible-playbook").write_bytes(real.read_bytes())  # its #! is this venv's
    (user_bin / "ansible-playbook").chmod(0o755)
    # a Python whose own folders hold no ansible-playbook (egov-audit and its libraries from
    # this checkout and this environment)
    python = _environment(tmp_path / "bare") / "bin" / "python"
    code = ("import sys, subprocess\n"
            "from egov_audit.runner import ansible_playbook\n"
            "found = ansible_playbook(); print(found)\n"
            "print(subprocess.run([str(found), '--version'], capture_output=True, text=True,"
            " check=True).stdout.splitlines()[0])\n")
    env = {"PYTHONUSERBASE": str(userbase), "PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO)}
    found = _run(python, "-c", code, cwd=tmp_path, env=env).stdout.splitlines()
    assert found[0] == str(user_bin / "ansible-playbook"), found
    assert found[1].startswith("ansible-playbook [core "), found
    (user_bin / "ansible-playbook").unlink()
    missing = subprocess.run([python, "-c", code], capture_output=True, text=True,
                             cwd=tmp_path, env={**os.environ, **env}, timeout=120, check=False)
    assert f"ansible-playbook not found beside {python}, in " in missing.stderr
    assert str(user_bin) in missing.stderr


def test_pipx_installs_the_wheel_with_its_dependencies_from_the_index(wheel: Path,
                                                                     tmp_path: Path) -> None:
    """As a new user installs a command-line tool: pipx itself from the package index into a
    virtual environment of its own, then `pipx install` of the built wheel, which resolves
    every dependency from the index (held to constraints.txt, as make setup does). The command
    it puts on the user's bin folder runs from any directory, in Vietnamese by default."""
    venv = tmp_path / "pipx-venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    _run(venv / "bin" / "python", "-m", "pip", "install", "--quiet", "pipx", cwd=tmp_path)
    env = {"PIPX_HOME": str(tmp_path / "pipx-home"), "PIPX_BIN_DIR": str(tmp_path / "bin"),
           "PIPX_MAN_DIR": str(tmp_path / "man"), "PIP_CONSTRAINT": str(REPO / "constraints.txt"),
           "PYTHONPATH": "", "EGOV_AUDIT_LANG": ""}
    _run(venv / "bin" / "pipx", "install", "--python", sys.executable, wheel, cwd=tmp_path,
         env=env)
    command = tmp_path / "bin" / "egov-audit"
    assert command.is_file()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    version = _run(command, "--version", cwd=elsewhere, env=env).stdout
    assert version.startswith(f"egov-audit {__version__}\n"), version
    help_vi = _run(command, "--help", cwd=elsewhere, env={**env, "LANG": "C.UTF-8"})
    assert help_vi.stdout.startswith("Cách dùng:"), help_vi.stdout[:200]
    # its own environment: egov-audit and its libraries, none of this checkout's
    where = _run(tmp_path / "pipx-home" / "venvs" / "egov-audit" / "bin" / "python", "-c",
                 "import egov_audit, sslyze, pysnmp; print(egov_audit.__file__)",
                 cwd=elsewhere, env=env).stdout
    assert str(tmp_path / "pipx-home") in where and str(REPO) not in where
    validated = _run(command, "validate", REPO / "inventories" / "bo-hts", "--lang", "en",
                     "--fail-on", "none", cwd=elsewhere, env=env)
    assert "bo-hts" in validated.stdout


def test_the_release_builds_cleanly_and_passes_twine_check(tmp_path: Path) -> None:
    """The release as PyPI takes it: pypa's build makes the sdist, then the wheel from that
    sdist (so the sdist is complete); nothing alarming on the way (no "would be ignored"
    package, no stray second version file); `twine check --strict` passes both; the wheel
    from the sdist carries every data file git tracks."""
    source = _tracked_copy(tmp_path / "source")
    built = _run(sys.executable, "-m", "build", "--no-isolation", "--outdir", tmp_path / "dist",
                 source, cwd=source, env={"SETUPTOOLS_SCM_PRETEND_VERSION": __version__})
    said = built.stdout + built.stderr
    assert "would be ignored" not in said and "Traceback" not in said, said[-3000:]
    (sdist,) = (tmp_path / "dist").glob("egov_audit-*.tar.gz")
    (wheel,) = (tmp_path / "dist").glob("egov_audit-*.whl")
    checked = _run(Path(sys.executable).parent / "twine", "check", "--strict", sdist, wheel,
                   cwd=tmp_path)
    assert checked.stdout.count("PASSED") == 2, checked.stdout
    names = set(zipfile.ZipFile(wheel).namelist())
    assert [n for n in names if n.endswith("_version.py")] == ["egov_audit/_version.py"]
    data = _run("git", "ls-files", *DATA, "CHANGELOG.md", cwd=REPO).stdout.split()
    assert data and not [f for f in data if f"egov_audit/_data/{f}" not in names]
