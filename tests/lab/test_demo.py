"""`make demo` is the first thing a new user runs: its script must go through every step (as
root it starts the lab; otherwise it scans this machine through a local connection), and speak
one language: in Vietnamese no English sentence outside names, identifiers and file paths; in
English no Vietnamese."""

from __future__ import annotations

import os
import re
import subprocess

import pytest

from tests.helpers import REPO

pytestmark = [pytest.mark.lab, pytest.mark.slow]

# words an English sentence cannot do without; two of them on a line make it English
_ENGLISH = re.compile(r"\b(the|and|of|with|for|is|are|from|this|that|not|be|was|which|only|"
                      r"must|has|have|its|should|does|when|then|than|by|an|at|on|or|but|if|"
                      r"all|any|into|were|will)\b", re.I)
# what may be English in a Vietnamese text: paths, file names, `code`, 'quoted' identifiers,
# URLs, YAML keys of the generated playbook
_NOT_PROSE = re.compile(r"(/[\w.\-/*]+|[\w.-]+\.(yml|json|py|sh)|`[^`]*`|'[^']*'|"
                        r"https?://\S+|^\s*[\w.]+:\s)")
_VIETNAMESE = re.compile(r"[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳ"
                         r"ýỷỹỵđ]", re.I)


def _demo(lang: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", str(REPO / "tools" / "demo.sh")], cwd=REPO,
                          capture_output=True, text=True, timeout=900, check=False,
                          env={**os.environ, "REPORT_LANG": lang})


@pytest.fixture(scope="module")
def english() -> subprocess.CompletedProcess[str]:
    return _demo("en")


def test_the_demo_runs_every_step_and_ends_with_the_remediation_playbook(
        english: subprocess.CompletedProcess[str]) -> None:
    proc = english
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    for step in ("== 1. egov-audit validate", "== 2. the three sample agencies",
                 "== 3. egov-audit scan", "== 4. egov-audit probe", "== 5. egov-audit fix"):
        assert step in proc.stdout
    # a portal gap beside the others: song-lam's unsigned zone, and the inspectors' table
    assert "PORTAL-DNS-01 songlam.example" in proc.stdout
    assert "IPv6 1/2 · DNSSEC 0/2 · HTTPS 1/2" in proc.stdout
    assert "results re-evaluated from the evidence" in proc.stdout
    # a name that cannot hold a template is plain (quoted where YAML needs it)
    assert "- name: 'HOST-" in proc.stdout or "- name: HOST-" in proc.stdout
    assert "fixes; apply with: egov-audit fix BUNDLE --inventory DIR --evidence DIR --apply" \
        in proc.stdout


def test_the_english_demo_has_no_vietnamese(english: subprocess.CompletedProcess[str]) -> None:
    mixed = [line for line in (english.stdout + english.stderr).splitlines()
             if _VIETNAMESE.search(line)]
    assert mixed == []


def test_the_vietnamese_demo_has_no_english_sentence() -> None:
    proc = _demo("vi")
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "== 5. egov-audit fix: playbook khắc phục" in proc.stdout
    english = [line for line in (proc.stdout + proc.stderr).splitlines()
               if len({w.lower() for w in _ENGLISH.findall(_NOT_PROSE.sub(" ", line))}) >= 2]
    assert english == []
