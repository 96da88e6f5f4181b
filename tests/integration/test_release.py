"""Releases: the version of a build comes from its git tag (setuptools-scm), the CHANGELOG names
each release, and every snippet that pins a release (pre-commit's `rev:`) pins the newest one."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from tests.helpers import REPO

RELEASE = re.compile(r"^## (\d+\.\d+\.\d+) — (\d{4}-\d{2}-\d{2})$", re.M)
PINNED = ("docs/cli.md", "docs/getting-started.md", ".pre-commit-hooks.yaml", "README.md")


def _releases() -> list[str]:
    """The CHANGELOG's releases, newest first."""
    return [m.group(1) for m in RELEASE.finditer((REPO / "CHANGELOG.md").read_text("utf-8"))]


def _git(*args: str, cwd: Path) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"}
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True,
                          env=env).stdout.strip()


def _version(cwd: Path) -> str:
    done = subprocess.run([sys.executable, "-m", "setuptools_scm"], cwd=cwd, check=True,
                          capture_output=True, text=True)
    return done.stdout.strip().splitlines()[-1]


def test_the_pinned_release_is_the_newest_the_changelog_names() -> None:
    releases = _releases()
    assert releases and releases == sorted(releases, key=lambda v: tuple(map(int,
                                                                            v.split("."))),
                                           reverse=True)
    pins = {path: re.findall(r"rev: (v\S+)", (REPO / path).read_text("utf-8"))
            for path in PINNED}
    assert any(pins.values())
    assert {pin for found in pins.values() for pin in found} == {f"v{releases[0]}"}, pins


def test_each_tag_of_the_repository_is_a_release_of_the_changelog() -> None:
    tags = _git("tag", "--list", "v*", cwd=REPO).split()
    assert set(tags) <= {f"v{release}" for release in _releases()}, tags


def test_a_tagged_commit_builds_as_its_release_and_the_next_one_as_a_dev_version(
        tmp_path: Path) -> None:
    """As getting-started says: vX.Y.Z's commit is X.Y.Z, a later commit X.Y.(Z+1).devN+gHASH
    (in a clone, tagged there: what the release commit does)."""
    newest = _releases()[0]
    clone = tmp_path / "clone"
    _git("clone", "-q", "--no-local", str(REPO), str(clone), cwd=tmp_path)
    if f"v{newest}" in _git("tag", "--list", cwd=clone).split():
        _git("checkout", "-q", f"v{newest}", cwd=clone)  # the release's own commit
    else:  # a clone without tags: tag it as the release commit was
        _git("tag", "-a", f"v{newest}", "-m", f"egov-audit {newest}", cwd=clone)
    assert _version(clone) == newest
    _git("commit", "-q", "--allow-empty", "-m", "after the release", cwd=clone)
    major, minor, patch = map(int, newest.split("."))
    head = _git("rev-parse", "--short", "HEAD", cwd=clone)
    after = _version(clone)
    assert re.fullmatch(rf"{major}\.{minor}\.{patch + 1}\.dev\d+\+g{head[:7]}\w*(\.d\d+)?",
                        after), after
