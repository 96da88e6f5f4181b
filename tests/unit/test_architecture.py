"""The shape of the package: imports flow one way (no cycle, lazy imports inside functions
included: a cycle hidden in a function is still a cycle), and no module reaches into another
package's private names."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from tests.helpers import REPO

PACKAGE = REPO / "egov_audit"


def _module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or \
        (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(module: str) -> Iterator[tuple[str, list[str], int]]:
    """(imported module, names taken from it, line) for every import that runs, at any depth."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    tree = ast.parse(path.read_text("utf-8"))

    def walk(node: ast.AST) -> Iterator[ast.AST]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                yield from (n for orelse in child.orelse for n in [orelse, *walk(orelse)])
                continue
            yield child
            yield from walk(child)

    for node in walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("egov_audit"):
                    yield alias.name, [], node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if not target.startswith("egov_audit"):
                continue
            names = [a.name for a in node.names]
            # `from . import x` imports the module x
            submodules = [f"{target}.{n}" for n in names if f"{target}.{n}" in MODULES]
            if submodules:
                for sub in submodules:
                    yield sub, [], node.lineno
            else:
                yield target, names, node.lineno


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {m: set() for m in MODULES}
    for module in MODULES:
        for target, _, _ in _imports(module):
            if target in MODULES and target != module:
                graph[module].add(target)
            # importing a.b.c runs a/__init__ and a/b/__init__ first
            parent = target.rpartition(".")[0]
            while parent and parent in MODULES:
                if parent != module and not module.startswith(parent + "."):
                    graph[module].add(parent)
                parent = parent.rpartition(".")[0]
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_the_import_graph_has_no_cycle() -> None:
    graph = _graph()
    assert sum(len(targets) for targets in graph.values()) > 100  # the walk sees the imports
    assert _cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def _unit(module: str) -> str:
    """The unit of the house a module belongs to: its package below egov_audit, or the
    top-level module itself (audit, cli, score...)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "egov_audit"


def _package_links() -> dict[tuple[str, str], list[str]]:
    """Each import from one unit into another, with where it is."""
    links: dict[tuple[str, str], list[str]] = {}
    for module, path in MODULES.items():
        for target, _, line in _imports(module):
            if target in MODULES or target.rpartition(".")[0] in MODULES:
                pair = (_unit(module), _unit(target))
                if pair[0] != pair[1] and "egov_audit" not in pair:
                    links.setdefault(pair, []).append(f"{path.relative_to(REPO)}:{line}")
    return links


def test_no_two_packages_import_each_other() -> None:
    """Imports between packages go one way: a package that imports another is never imported
    back by it, even through a function-level import (issue 11 held the modules to this; six
    evidence kinds later, collect and the kinds' packages imported each other)."""
    links = _package_links()
    assert ("audit", "checks") in links and ("network", "evidence") in links  # the walk sees
    both_ways = [f"{a} <-> {b}: {links[(a, b)][0]} / {links[(b, a)][0]}"
                 for a, b in sorted(links) if a < b and (b, a) in links]
    assert both_ways == []


def test_evidence_is_at_the_bottom() -> None:
    """The evidence package reads and writes the folder format; it imports no package that
    collects, judges or reports (those import it)."""
    allowed = {"errors", "gates", "models", "schemas", "times"}
    found = {b for (a, b) in _package_links() if a == "evidence"}
    assert found and found <= allowed, found - allowed


def test_no_module_imports_a_private_name_of_another_package() -> None:
    found = []
    for module, path in MODULES.items():
        own = module if path.name == "__init__.py" else module.rpartition(".")[0]
        for target, names, line in _imports(module):
            target_package = target if MODULES.get(target, Path()).name == "__init__.py" \
                else target.rpartition(".")[0]
            # `_` is gettext's conventional name (egov_audit/i18n.py), not a private one
            private = [n for n in names if n.startswith("_") and not n.startswith("__")
                       and n != "_"]
            if private and target_package != own:
                found.append(f"{path.relative_to(REPO)}:{line}: {target} {private}")
    assert found == []


def test_no_check_names_a_vendor() -> None:
    """The vendor is chosen once, where a configuration's facts are read (network/facts.py):
    no check compares a vendor's name, nor reads which vendor a device is."""
    from egov_audit.network.vendors import VENDORS

    vendors = {vendor.name for vendor in VENDORS}
    assert len(vendors) >= 6
    found = []
    for path in sorted((PACKAGE / "checks").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Constant) and node.value in vendors | {"vendor"}:
                found.append(f"{path.relative_to(REPO)}:{node.lineno}: {node.value!r}")
    assert found == []


MAX_LINES = 600
COLLECTOR_PARTS = REPO / "playbooks"


def test_no_module_is_too_big_to_hold() -> None:
    """No module of the package or of the playbooks' plugins over 600 lines: a newcomer reads
    a module whole."""
    sources = [*PACKAGE.rglob("*.py"), *COLLECTOR_PARTS.rglob("*.py")]
    big = sorted(f"{p.relative_to(REPO)}: {n} lines" for p in sources
                 if (n := len(p.read_text("utf-8").splitlines())) > MAX_LINES)
    assert big == []


def test_packages_keep_only_an_import_list_in_init() -> None:
    """A package's __init__.py says what the package is and lists what it offers; its code
    lives in named modules."""
    found = []
    for init in sorted(PACKAGE.rglob("__init__.py")):
        tree = ast.parse(init.read_text("utf-8"))
        for node in tree.body:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                continue
            if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
                continue  # the docstring
            if isinstance(node, ast.Assign) and all(
                    isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets):
                continue
            if isinstance(node, ast.Try) and all(  # the version, when the build wrote it
                    isinstance(n, (ast.ImportFrom, ast.Assign))
                    for part in (node.body, *(h.body for h in node.handlers)) for n in part):
                continue
            found.append(f"{init.relative_to(REPO)}:{node.lineno}")
    assert found == []


def test_a_function_level_import_says_why() -> None:
    """Imports are at the top of a module, where a reader sees what it depends on; one inside a
    function is there for a reason (an optional or heavy library, the cold start every command
    pays), and a comment on it, or just above its block, says which."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        lines = path.read_text("utf-8").splitlines()
        for node in ast.walk(ast.parse("\n".join(lines))):
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for imp in ast.walk(node):
                if not isinstance(imp, (ast.Import, ast.ImportFrom)):
                    continue
                above = imp.lineno - 2
                while above >= 0 and lines[above].lstrip().startswith(("from ", "import ")) \
                        and "#" not in lines[above]:
                    above -= 1  # the block's first import
                said = "#" in lines[imp.lineno - 1] or (
                    above >= 0 and lines[above].lstrip().startswith("#")) or (
                    above >= 0 and "#" in lines[above]
                    and lines[above].lstrip().startswith(("from ", "import ")))
                if not said:
                    found.append(f"{path.relative_to(REPO)}:{imp.lineno}")
    assert found == []
