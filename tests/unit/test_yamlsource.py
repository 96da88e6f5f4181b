from __future__ import annotations

from pathlib import Path

import pytest

from egov_audit.errors import InventoryError
from egov_audit.yamlsource import format_path, load_yaml, parse_yaml


def _parse(text: str):  # type: ignore[no-untyped-def]
    return parse_yaml(text, Path("x.yml"), "x.yml", InventoryError)


def test_plain_data_and_yaml11_scalars() -> None:
    src = _parse("a: 1\nb: yes\nc: ~\nd: 1.5\ne: '2026-01-01'\nf: 2026-01-01\ng: 0x1f\n")
    assert src.data == {"a": 1, "b": True, "c": None, "d": 1.5, "e": "2026-01-01",
                        "f": "2026-01-01", "g": 31}


def test_locate_returns_line_and_column_of_nested_values() -> None:
    src = _parse("network:\n  zones:\n    - name: a\n      subnets: [10.0.0.0/8, 10.1.0.0/33]\n")
    assert src.locate(("network", "zones", 0, "subnets", 1)) == (4, 29)
    # a path that goes beyond what exists points at the nearest declared parent
    assert src.locate(("network", "zones", 0, "missing")) == (3, 7)


def test_anchors_and_merge_keys() -> None:
    src = _parse("base: &b {x: 1, y: 2}\nother:\n  <<: *b\n  y: 3\n")
    assert src.data["other"] == {"x": 1, "y": 3}


def test_alias_bomb_is_refused() -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        prev = chr(ord("a") + i - 1)
        cur = chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [{', '.join('*' + prev for _ in range(10))}]")
    with pytest.raises(InventoryError, match="alias expansion"):
        _parse("\n".join(lines) + "\n")


@pytest.mark.parametrize("text", ["!!python/object/apply:os.system ['id']",
                                  "a: !!python/name:os.system x", "a: !custom 1"])
def test_code_and_unknown_tags_are_refused(text: str) -> None:
    with pytest.raises(InventoryError, match="unsupported YAML tag"):
        _parse(text)


def test_vault_values_stay_opaque() -> None:
    src = _parse("secret: !vault |\n  $ANSIBLE_VAULT;1.1;AES256\n  6162\n")
    assert src.data == {"secret": "<vault-encrypted>"}


def test_duplicate_keys_are_refused_with_their_line() -> None:
    with pytest.raises(InventoryError) as err:
        _parse("a: 1\nb: 2\na: 3\n")
    assert err.value.line == 3 and "duplicate key 'a'" in err.value.message


def test_syntax_errors_carry_line_and_column() -> None:
    with pytest.raises(InventoryError) as err:
        _parse("a: [1, 2\nb: 3\n")
    assert err.value.file == "x.yml" and err.value.line is not None


def test_deep_nesting_is_refused() -> None:
    with pytest.raises(InventoryError, match="nesting"):
        _parse("[" * 200 + "]" * 200)


def test_files_that_are_not_text(tmp_path: Path) -> None:
    binary = tmp_path / "b.yml"
    binary.write_bytes(b"a: 1\n\x00\x01")
    with pytest.raises(InventoryError, match="NUL"):
        load_yaml(binary, "b.yml", InventoryError)
    latin = tmp_path / "l.yml"
    latin.write_bytes("a: 'Hà Nội'\n".encode("latin-1", "replace") + b"\xe0\n")
    with pytest.raises(InventoryError, match="UTF-8"):
        load_yaml(latin, "l.yml", InventoryError)


def test_format_path() -> None:
    assert format_path(("zones", 2, "subnets", 0)) == "zones[2].subnets[0]"
    assert format_path(()) == "(document)"
