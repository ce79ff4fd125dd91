"""The dependency rules, read from the source: every import statement counts, at module level or
inside a function.

- core's framework imports nothing from the shared registers (`core/registers/`), except the few
  files listed in `REGISTERS_ALLOWED`, where Django, GraphQL or the demo put the two together;
- nothing under `core/` imports a module (claims, approvals, reports, ...);
- the claims module never imports the approvals module;
- the reports module names no other module;
- no files of the project import each other in a circle.

An import depends on the module it names: `from core.models import User` on `core.models` (the
package's `__init__`), `from core.registers import queries` on `core.registers.queries`. Modules
reached by a dotted string (`import_string`, `apps.get_model`) are not imports and not checked.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

from django.apps import apps
from django.conf import settings

from core.modules import OpenIMISModule

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("config", "core", "openimis_claim", "openimis_approval", "reports")
REGISTERS = "core.registers"

# The framework files that may import the registers, and why. Keep it short: a new entry needs a
# reason of the same kind (a place where Django, GraphQL or the demo compose core's two halves).
REGISTERS_ALLOWED = {
    # Django finds an app's models only through `<app>.models`: the registers' models are imported
    # there (not re-exported) so that they stay in the `core` app label, tables and migrations.
    "core/models/__init__.py",
    # Django's admin autodiscovery imports `<app>.admin` only: it imports the registers' admin.
    "core/admin.py",
    # Core's module schema: the assembly takes `core.schema.Query`, which composes the framework's
    # root fields and the registers' (in the order schema.graphql has).
    "core/schema.py",
    # The web app's start-up profile: the caller's officer, facility and districts are register
    # rows (types and the districts query from the registers).
    "core/gql/startup.py",
    # The demo data (`seed_demo`): tenants, roles and users over the registers' generator, the
    # clerk at the registers' hospital HF001; the one place demo data is composed.
    "core/demo.py",
}


@dataclass(frozen=True)
class Import:
    file: str  # relative to the repository
    line: int
    statement: str
    target: str  # the dotted module it loads

    def __str__(self) -> str:
        return f"{self.file}:{self.line} imports {self.target} ({self.statement})"


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


SOURCES = {_module_name(path): path for package in PACKAGES
           for path in sorted((ROOT / package).rglob("*.py"))}


def _imports_of(module: str, path: Path) -> Iterator[Import]:
    is_package = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = module.split(".")[: None if is_package else -1]
                package = package[: len(package) - node.level + 1]
                base = ".".join([*package, base] if base else package)
            # `from package import submodule` loads the submodule; `from module import name`
            # the module.
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in SOURCES else base
                       for alias in node.names]
        else:
            continue
        file = str(path.relative_to(ROOT))
        for target in dict.fromkeys(targets):
            yield Import(file, node.lineno, ast.unparse(node), target)


IMPORTS = [imp for module, path in SOURCES.items() for imp in _imports_of(module, path)]


def _within(target: str, package: str) -> bool:
    return target == package or target.startswith(f"{package}.")


def _in_folder(file: str, folder: str) -> bool:
    return file.startswith(f"{folder}/")


def _modules() -> set[str]:
    """Every module package: the configured list, the production one, and the loaded modules."""
    loaded = {config.name for config in apps.get_app_configs()
              if isinstance(config, OpenIMISModule)}
    return (loaded | set(settings.OPENIMIS_MODULES) | set(settings.ALL_OPENIMIS_MODULES)) - {"core"}


def _violations(folder: str, forbidden: set[str]) -> list[str]:
    """The imports of the files under `folder` that load anything of the `forbidden` packages."""
    return [str(imp) for imp in IMPORTS if _in_folder(imp.file, folder)
            and any(_within(imp.target, package) for package in forbidden)]


def test_the_source_is_read():
    assert {"core.config", "core.registers.models", "openimis_claim.services.workflow",
            "reports.registry", "config.schema"} <= set(SOURCES)
    assert any(imp.file == "core/rights.py" and imp.target == "core.config" for imp in IMPORTS)
    assert {"openimis_claim", "openimis_approval", "reports"} <= _modules()


def test_core_framework_imports_nothing_from_the_registers():
    found = [str(imp) for imp in IMPORTS
             if _in_folder(imp.file, "core") and not _in_folder(imp.file, "core/registers")
             and imp.file not in REGISTERS_ALLOWED and _within(imp.target, REGISTERS)]

    assert found == [], "core's framework imports the registers:\n" + "\n".join(found)


def test_every_allowed_framework_file_still_needs_its_exception():
    unneeded = sorted(file for file in REGISTERS_ALLOWED
                      if not any(imp.file == file and _within(imp.target, REGISTERS)
                                 for imp in IMPORTS))

    assert unneeded == [], f"no longer import the registers (remove them from the list): {unneeded}"


def test_core_imports_no_module():
    found = _violations("core", _modules())

    assert found == [], "core imports a module:\n" + "\n".join(found)


def test_claims_never_import_approvals():
    found = _violations("openimis_claim", {"openimis_approval"})

    assert found == [], "the claims module imports the approvals module:\n" + "\n".join(found)


def test_reports_name_no_module():
    found = _violations("reports", _modules() - {"reports"})

    assert found == [], "the reports module imports a module:\n" + "\n".join(found)


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One circle per group of modules that reach each other (Tarjan), as a path back to its
    start."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[set[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for successor in sorted(graph[node]):
            if successor not in index:
                visit(successor)
                low[node] = min(low[node], low[successor])
            elif successor in stack:
                low[node] = min(low[node], index[successor])
        if low[node] == index[node]:
            group = set()
            while True:
                member = stack.pop()
                group.add(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(group)

    for node in sorted(graph):
        if node not in index:
            visit(node)

    cycles = []
    for group in groups:
        start = min(group)
        paths = {start: [start]}
        queue = [start]
        while queue:  # shortest way round, within the group
            node = queue.pop(0)
            for successor in sorted(graph[node] & group):
                if successor == start:
                    cycles.append([*paths[node], start])
                    queue = []
                    break
                if successor not in paths:
                    paths[successor] = [*paths[node], successor]
                    queue.append(successor)
    return cycles


def test_no_import_circles():
    graph: dict[str, set[str]] = {module: set() for module in SOURCES}
    edges: dict[tuple[str, str], Import] = {}
    for imp in IMPORTS:
        target = imp.target
        while target and target not in SOURCES:  # `core.models.User` -> `core.models`
            target = target.rpartition(".")[0]
        source = _module_name(ROOT / imp.file)
        if target and target != source:
            graph[source].add(target)
            edges.setdefault((source, target), imp)

    found = [" -> ".join(cycle) + "".join(f"\n    {edges[step]}" for step in pairwise(cycle))
             for cycle in _cycles(graph)]

    assert found == [], "import circles:\n" + "\n".join(found)
