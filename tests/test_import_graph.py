"""The integration's modules import each other without a cycle (read from the source with ast).

Only imports that run when a module is loaded count: those at module level (also inside a
module-level ``try``/``if``), not those under ``if TYPE_CHECKING:`` and not those inside
functions or classes, which run later. Importing ``package.module`` from outside ``package``
also runs ``package/__init__.py`` first, so it counts as an import of both. The integration's
own ``__init__.py`` is left out as a target: Home Assistant loads it before any other module,
and no module imports it.
"""

import ast
from collections.abc import Iterator, Mapping
from pathlib import Path

REPO = Path(__file__).parent.parent
COMPONENT = REPO / "custom_components" / "sipgate"
ROOT = "custom_components.sipgate"


def _module_name(path: Path, repo: Path) -> str:
    parts = path.relative_to(repo).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _load_time_imports(body: list[ast.stmt]) -> Iterator[ast.Import | ast.ImportFrom]:
    """The import statements of ``body`` that run when the module is loaded."""
    for node in body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        elif isinstance(node, ast.If):
            if not _is_type_checking(node.test):
                yield from _load_time_imports(node.body)
            yield from _load_time_imports(node.orelse)
        elif isinstance(node, ast.Try):
            for block in (
                node.body,
                *(handler.body for handler in node.handlers),
                node.orelse,
                node.finalbody,
            ):
                yield from _load_time_imports(block)
        elif isinstance(node, ast.With):
            yield from _load_time_imports(node.body)


def _absolute(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    """The absolute name a relative ``from … import`` names."""
    if node.level == 0:
        return node.module or ""
    base = module.split(".")
    if not is_package:
        base = base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def _with_parents(importer: str, target: str, modules: set[str]) -> set[str]:
    """``target`` and the packages that importing it loads, as far as ``importer`` is outside them."""
    loaded = {target}
    parts = target.split(".")
    for end in range(len(parts) - 1, 2, -1):  # the packages below custom_components.sipgate
        package = ".".join(parts[:end])
        if package in modules and not (importer == package or importer.startswith(package + ".")):
            loaded.add(package)
    return loaded


def import_graph(component: Path, repo: Path = REPO) -> dict[str, set[str]]:
    """Module → the integration's modules it imports at load time (names relative to ``repo``)."""
    paths = {_module_name(path, repo): path for path in component.rglob("*.py")}
    modules = set(paths)
    graph: dict[str, set[str]] = {}
    for module, path in paths.items():
        is_package = path.name == "__init__.py"
        targets: set[str] = set()
        for node in _load_time_imports(ast.parse(path.read_text(encoding="utf-8")).body):
            if isinstance(node, ast.Import):
                named = {alias.name for alias in node.names}
            else:
                base = _absolute(module, is_package, node)
                # ``from package import module`` imports the module; ``from module import name`` the module.
                named = {
                    f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base
                    for alias in node.names
                }
            for name in named & modules:
                targets |= _with_parents(module, name, modules)
        graph[module] = targets - {module, ROOT}
    return graph


def find_cycle(graph: Mapping[str, set[str]]) -> list[str] | None:
    """One import cycle of ``graph`` (its modules in order, the first repeated at the end), or ``None``."""
    done: set[str] = set()
    path: list[str] = []
    on_path: set[str] = set()

    def visit(module: str) -> list[str] | None:
        path.append(module)
        on_path.add(module)
        for target in sorted(graph.get(module, ())):
            if target in on_path:
                return [*path[path.index(target) :], target]
            if target not in done and (cycle := visit(target)):
                return cycle
        on_path.discard(path.pop())
        done.add(module)
        return None

    for module in sorted(graph):
        if module not in done and (cycle := visit(module)):
            return cycle
    return None


def test_the_integration_has_no_import_cycle() -> None:
    """No module of the integration imports, directly or through others, one that imports it."""
    graph = import_graph(COMPONENT)
    assert find_cycle(graph) is None
    # The graph is read correctly: it sees the imports the integration is built from.
    assert f"{ROOT}.runtime" in graph[f"{ROOT}.coordinator.base"]
    coordinators = {f"{ROOT}.coordinator.{name}" for name in ("account", "history", "live_calls")}
    assert coordinators <= graph[f"{ROOT}.coordinator"]
    assert all(f"{ROOT}.coordinator.base" in graph[module] for module in coordinators)
    # A module inside the package does not load the package's own __init__ first.
    assert f"{ROOT}.coordinator" not in graph[f"{ROOT}.coordinator.account"]
    assert {f"{ROOT}.actions", f"{ROOT}.actions.helpers"} <= graph[f"{ROOT}.switch"]
    assert f"{ROOT}.actions.messaging" in graph[f"{ROOT}.actions"]
    assert f"{ROOT}.api.client" not in graph[f"{ROOT}.runtime"]  # under TYPE_CHECKING only
    assert f"{ROOT}.speech" not in graph[f"{ROOT}.actions.calls"]  # imported inside a function


def test_runtime_data_imports_nothing_of_the_integration() -> None:
    """``runtime.py`` is imported by nearly every module; at load time it imports none of them."""
    assert import_graph(COMPONENT)[f"{ROOT}.runtime"] == set()


def test_a_cycle_is_found(tmp_path: Path) -> None:
    """The check finds a cycle through a package's ``__init__`` and one module-level import."""
    package = tmp_path / "custom_components" / "sipgate"
    (package / "area").mkdir(parents=True)
    files = {
        "__init__.py": "from .first import x\n",
        "first.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .second import y\n",
        "second.py": "from .area.helpers import z\n",
        "area/__init__.py": "from . import helpers, verbs\n",
        "area/helpers.py": "def z(): from ..first import x\n",
        "area/verbs.py": "from ..second import y\n",
    }
    for name, text in files.items():
        (package / name).write_text(text, encoding="utf-8")
    graph = {
        module.removeprefix(f"{ROOT}."): {t.removeprefix(f"{ROOT}.") for t in targets}
        for module, targets in import_graph(package, tmp_path).items()
    }
    assert graph["first"] == set()  # TYPE_CHECKING
    assert graph["area.helpers"] == set()  # inside a function
    assert graph["second"] == {"area", "area.helpers"}
    assert find_cycle(graph) == ["area", "area.verbs", "second", "area"]
