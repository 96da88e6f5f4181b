"""The egov.audit collection as an operator gets it: `egov-audit collection build`, then
`ansible-galaxy collection install` of the artifact (offline). Installed, Ansible finds its
module, playbook and roles by their fully qualified names, the collection passes ansible-lint's
production profile and `ansible-test sanity` (the check every published collection runs), and a
role refuses a control that is not its own before it touches anything.
Running collection and remediation on real hosts from the installed artifact:
tests/lab/test_fix_lab.py."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from egov_audit import __version__
from egov_audit.collection import semantic_version
from tests.helpers import REPO, ansible_exe, install_collection, run_cli

pytestmark = pytest.mark.slow  # ansible-galaxy, ansible-doc and ansible-lint load all of Ansible


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return install_collection(tmp_path_factory.mktemp("collection"))


def _ansible(tool: str, collections: Path, *args: str, cwd: Path | None = None
             ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([ansible_exe(tool), *args], capture_output=True, text=True,
                          timeout=600, check=False, cwd=cwd,
                          env={**os.environ, "ANSIBLE_COLLECTIONS_PATH": str(collections),
                               "ANSIBLE_HOME": str(collections.parent / "home"),
                               "NO_COLOR": "1"})


def test_the_artifact_is_this_release_and_holds_no_stray_file(installed: Path) -> None:
    (artifact,) = (installed.parent / "dist").glob("*.tar.gz")
    assert artifact.name == f"egov-audit-{semantic_version(__version__)}.tar.gz"
    with tarfile.open(artifact) as tar:
        names = tar.getnames()
        manifest = json.load(tar.extractfile("MANIFEST.json"))  # type: ignore[arg-type]
    assert manifest["collection_info"]["version"] == semantic_version(__version__)
    info = manifest["collection_info"]
    assert info["dependencies"] == {"ansible.netcommon": ">=6.0.0"}  # network_cli
    assert info["repository"] == "https://git.example.gov.vn/egov-audit"
    assert info["issues"] == "https://git.example.gov.vn/egov-audit/issues"
    assert info["license"] == ["Apache-2.0"]
    assert "plugins/modules/egov_host_facts.py" in names
    assert "plugins/module_utils/egov_host_ssh.py" in names
    assert "roles/remediate_sshd/handlers/main.yml" in names
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]


def test_ansible_finds_the_module_playbook_and_roles_by_name(installed: Path) -> None:
    module = _ansible("ansible-doc", installed, "-t", "module", "egov.audit.egov_host_facts")
    assert module.returncode == 0, module.stderr
    assert "egov_host_facts" in module.stdout
    role = _ansible("ansible-doc", installed, "-t", "role", "egov.audit.remediate_sshd")
    assert role.returncode == 0, role.stderr
    assert "HOST-SSH-02" in role.stdout and "egov_params" in role.stdout
    listed = _ansible("ansible-doc", installed, "-t", "role", "-l", "egov.audit")
    assert listed.stdout.count("egov.audit.remediate_") == 10, listed.stdout
    playbook = _ansible("ansible-playbook", installed, "--syntax-check", "-i", "localhost,",
                        "egov.audit.collect")
    assert playbook.returncode == 0, playbook.stdout + playbook.stderr


def test_the_installed_module_runs_with_its_module_utils(installed: Path) -> None:
    """Called by its full name, the collection's action runs the collection's module, which
    imports its fact families from the collection's module_utils (renamed when it was built):
    every family answers."""
    ran = _ansible("ansible", installed, "localhost", "-c", "local", "-m",
                   "egov.audit.egov_host_facts", "-e", "egov_evidence_dir=")
    assert ran.returncode == 0, ran.stdout + ran.stderr
    bundle = json.loads(ran.stdout.split("=>", 1)[1])["egov_bundle"]
    assert {"sshd", "login_defs", "lockout", "accounts", "services", "time_sync", "logging",
            "files", "updates"} <= set(bundle["facts"])


def test_the_collection_passes_ansible_lint_production(installed: Path) -> None:
    root = installed / "ansible_collections/egov/audit"
    proc = _ansible("ansible-lint", installed, "--offline", "--nocolor", "--profile",
                    "production", "--format", "pep8", ".", cwd=root)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "Profile 'production' was required, and it passed" in proc.stdout + proc.stderr


def test_a_role_refuses_a_control_that_is_not_its_own(installed: Path, tmp_path: Path) -> None:
    """The argument spec is checked before the role's first task: nothing runs."""
    play = tmp_path / "wrong.yml"
    play.write_text("""- name: A control the role does not fix
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Import the sshd role for a password control
      ansible.builtin.import_role:
        name: egov.audit.remediate_sshd
      vars:
        egov_control: HOST-PWD-01
        egov_params: {}
""")
    proc = _ansible("ansible-playbook", installed, "-i", "localhost,", "-c", "local",
                    str(play))
    assert proc.returncode != 0
    assert "egov_control" in proc.stdout and "HOST-SSH-01" in proc.stdout, proc.stdout[-2000:]
    assert "changed=0" in proc.stdout


def test_build_writes_through_the_output_gate(tmp_path: Path) -> None:
    target = tmp_path / "dist"
    blocker = target / f"egov-audit-{semantic_version(__version__)}.tar.gz"
    blocker.mkdir(parents=True)  # a directory where the artifact should go: refused, kept
    proc = run_cli("collection", "build", "--output", str(target), "--lang", "en",
                   timeout=300)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1, proc.stderr
    assert "Traceback" not in proc.stderr and blocker.is_dir()


def test_the_repository_playbooks_pass_ansible_lint_as_a_user_runs_it(tmp_path: Path) -> None:
    """`ansible-lint playbooks/collect.yml` from a checkout, with ansible-lint's own defaults
    (no profile named): no violation (run-once[play] was one), no traceback."""
    import shutil

    copy = tmp_path / "checkout"
    shutil.copytree(REPO / "playbooks", copy / "playbooks")
    proc = _ansible("ansible-lint", tmp_path, "--offline", "--nocolor", "--format", "pep8",
                    "playbooks/collect.yml", cwd=copy)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "Traceback" not in proc.stdout + proc.stderr


@pytest.mark.parametrize("url", ["http://git.example.gov.vn/x", "javascript:alert(1)",
                                 "https://git.example.gov.vn/{{ lookup('pipe','id') }}"])
def test_a_repository_that_is_not_an_https_address_is_refused(url: str, tmp_path: Path) -> None:
    """galaxy.yml is data Ansible reads: only a plain https address goes into it."""
    proc = run_cli("collection", "build", "--output", str(tmp_path), "--repository", url,
                   "--lang", "en")
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1, proc.stderr
    assert "--repository" in proc.stderr and not list(tmp_path.iterdir())


def test_the_collection_passes_ansible_test_sanity(installed: Path, tmp_path: Path) -> None:
    """Every sanity test of the ansible-core the tests run with (pylint, pep8, validate-modules,
    the import test, yamllint, runtime-metadata...), each in the virtual environment
    ansible-test makes for it from the package index, on the installed collection beside the
    collection it depends on (ansible-test reads only its own collection root). The only
    ignores are tests/sanity/ignore-2.19.txt's: the modules are Apache-2.0, not GPLv3."""
    import shutil

    import ansible_collections

    root = tmp_path / "ansible_collections"
    shutil.copytree(installed / "ansible_collections/egov/audit", root / "egov/audit")
    shipped = Path(ansible_collections.__path__[0])
    for name in ("ansible/netcommon", "ansible/utils"):  # its dependency, and that one's
        shutil.copytree(shipped / name, root / name)
    # ansible-test fetches pypa's get-pip from ci-files.testing.ansible.com, out of reach here:
    # its cache holds a stand-in that bootstraps pip with ensurepip, then uses the index
    cache = tmp_path / "home/.ansible/test/cache"
    cache.mkdir(parents=True)
    shutil.copy(REPO / "tests/data/get_pip_standin.py", cache / "get_pip_24_2.py")
    python = "{}.{}".format(*sys.version_info[:2])
    proc = subprocess.run([ansible_exe("ansible-test"), "sanity", "--local", "--python",
                           python, "--color", "no"], capture_output=True, text=True,
                          timeout=1500, check=False, cwd=root / "egov/audit",
                          env={**os.environ, "HOME": str(tmp_path / "home")})
    said = proc.stdout + proc.stderr
    assert proc.returncode == 0, "\n".join(line for line in said.splitlines()
                                           if "ERROR" in line or "FATAL" in line)[-4000:]
    for test in ("pylint", "pep8", "validate-modules", "import", "yamllint",
                 "runtime-metadata", "compile"):
        assert f'Running sanity test "{test}"' in said, test
