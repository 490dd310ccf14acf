"""The package layout follows the pipeline and has no import cycle (issue 17).

The import graph is built from the sources with `ast`, counting every import — module level and inside
functions, where a cycle used to hide — between rnnlint's own modules (rules/ installs as rnnlint.rules).
`from package import module` is an edge to that module; a package's own `__init__` is not counted as imported
by its submodules (Python runs it first, which is not a dependency of the code).
"""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ((ROOT / "rnnlint", "rnnlint"), (ROOT / "rules", "rnnlint.rules"))


def modules() -> dict[str, Path]:
    found = {}
    for base, package in PACKAGES:
        for path in base.rglob("*.py"):
            parts = [package, *path.relative_to(base).with_suffix("").parts]
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def import_graph() -> dict[str, set[str]]:
    """module → the rnnlint modules it imports anywhere in its source."""
    known = modules()
    graph: dict[str, set[str]] = {name: set() for name in known}

    def own(name: str) -> str | None:
        while name and name not in known:
            name = name.rpartition(".")[0]
        return name or None

    for name, path in known.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parts = package.split(".")
                    parts = parts[:len(parts) - (node.level - 1)]
                    base = ".".join(parts + ([node.module] if node.module else []))
                for alias in node.names:  # `from package import module`: the module; else the package itself
                    targets.append(f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base)
            for target in targets:
                module = own(target)
                if module is not None and module != name:
                    graph[name].add(module)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in sorted(graph[node]):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_detector_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycle():
    graph = import_graph()
    assert len(graph) > 40 and graph["rnnlint.engine"], "the graph was not built"
    assert "rnnlint.confirm" in graph["rnnlint.engine"]  # an import inside a function (lazy: Keras) counts too
    found = cycles(graph)
    assert found == [], "import cycles: " + "; ".join(" ↔ ".join(c) for c in found)


def test_the_engine_knows_no_rule_by_name():
    """Rules are found by discovery (rnnlint.rule.all_rules); no engine module imports one."""
    graph = import_graph()
    for module, imports in graph.items():
        if not module.startswith("rnnlint.rules"):
            assert not any(i.startswith("rnnlint.rules.") for i in imports), (module, imports)


def test_stages_have_their_folders():
    """A newcomer finds each stage of the pipeline (README "How it works") in its own place."""
    for folder in ("sources", "analyze", "confirm", "fix", "report"):
        assert (ROOT / "rnnlint" / folder / "__init__.py").is_file(), folder
    assert (ROOT / "rules" / "__init__.py").is_file()


def test_every_package_is_installed():
    """pyproject.toml lists its packages explicitly: a new folder of rnnlint/ must be listed, or an installed
    rnnlint (pre-commit, pip install .) cannot import it."""
    try:
        import tomllib
    except ImportError:  # Python 3.10
        import tomli as tomllib  # type: ignore[no-redef]

    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["packages"])
    folders = {"rnnlint." + ".".join(p.parent.relative_to(ROOT / "rnnlint").parts) if p.parent != ROOT / "rnnlint"
               else "rnnlint" for p in (ROOT / "rnnlint").rglob("__init__.py")}
    assert folders | {"rnnlint.rules"} == listed
