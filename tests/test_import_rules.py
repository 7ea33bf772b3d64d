"""Import rules of docs/architecture.md that a reading of the source can check: no private name
(``_x``) of one of our packages used by another, and engines that never touch the database."""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CHECKED = ("plvm_photos", "plvm_model", "benchmarks", "tools")


def _modules(*roots: str) -> dict[str, Path]:
    out = {}
    for root in roots:
        for path in sorted((REPO / root).rglob("*.py")):
            parts = list(path.relative_to(REPO).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            out[".".join(parts)] = path
    return out


MODULES = _modules(*CHECKED)
PACKAGES = {name for name, path in MODULES.items() if path.name == "__init__.py"}


def _package(module: str) -> str:
    return module if module in PACKAGES else module.rpartition(".")[0]


def _absolute(importer: str, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = _package(importer).split(".")
    base = base[: len(base) - node.level + 1]
    return ".".join(base + ([node.module] if node.module else []))


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _ours(module: str) -> bool:
    return module.split(".")[0] in CHECKED


def private_uses(module: str, source: str) -> list[str]:
    """``from elsewhere import _x``, and ``m._x`` where ``m`` was imported from another package:
    private names of our packages only (the one use of the standard library's own private
    ``multiprocessing.forkserver`` is kept in the module that runs the fork server)."""
    tree = ast.parse(source)
    here = _package(module)
    bound: dict[str, str] = {}  # local name -> the module it comes from
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                bound[alias.asname or alias.name.split(".")[0]] = alias.name if alias.asname else alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom):
            origin = _absolute(module, node)
            for alias in node.names:
                as_module = f"{origin}.{alias.name}"
                source_module = as_module if as_module in MODULES else origin
                if _private(alias.name) and _ours(source_module) and _package(source_module) != here:
                    found.append((node.lineno, f"{module}:{node.lineno} imports {alias.name} from {origin}"))
                bound[alias.asname or alias.name] = as_module if as_module in MODULES or origin not in MODULES else origin
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and _private(node.attr):
            origin = bound.get(node.value.id)
            if origin is not None and _ours(origin) and _package(origin) != here:
                found.append((node.lineno, f"{module}:{node.lineno} uses {node.value.id}.{node.attr} ({origin})"))
    return [text for _, text in sorted(found)]


def test_no_private_name_crosses_a_package():
    found = [use for module, path in MODULES.items() for use in private_uses(module, path.read_text())]
    assert found == []


def test_the_rule_catches_both_forms():
    source = ("from plvm_photos.engines.face.engine import _dlib_models\n"
              "from plvm_photos.engines.face import pose\n"
              "pose._MODEL_5\n"
              "from plvm_model.lvlm import PLVM\n"
              "PLVM._yes_probability\n"
              "from .common import _same_package\n"
              "import os\n"
              "os._exit(0)\n")
    assert private_uses("benchmarks.bench_x", source) == [
        "benchmarks.bench_x:1 imports _dlib_models from plvm_photos.engines.face.engine",
        "benchmarks.bench_x:3 uses pose._MODEL_5 (plvm_photos.engines.face.pose)",
        "benchmarks.bench_x:5 uses PLVM._yes_probability (plvm_model.lvlm)",
    ]
    assert private_uses("plvm_photos.engines.face.engine", "from plvm_photos.engines.face.pose import _MODEL_68\n") == []


def _imports(path: Path) -> set[str]:
    """Every module an import names, ``from package import module`` included (and, harmlessly,
    ``package.name`` for a name that is not a module)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def test_engines_never_touch_the_database():
    """Not even lazily: engines compute from typed values (``engines.base.References``, ...) that
    the layers above load; they import neither SQLAlchemy nor the database layer, and open no
    session."""
    found = []
    for module, path in _modules("plvm_photos/engines").items():
        for name in _imports(path):
            if _within(name, "sqlalchemy") or _within(name, "plvm_photos.db"):
                found.append(f"{module} imports {name}")
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
                    node.func.attr in ("session", "transaction", "write_transaction"):
                found.append(f"{module}:{node.lineno} opens a {node.func.attr}")
    assert found == []


def test_the_cli_and_the_gallery_go_through_the_library_api():
    """The CLI and the gallery call ``Library`` for every workflow: they import no ``curation``
    module, and the gallery reads nothing from the database itself (no SQLAlchemy, no ``db``)."""
    found = []
    for module, path in _modules("plvm_photos/cli", "plvm_photos/web").items():
        for name in _imports(path):
            if _within(name, "plvm_photos.curation"):
                found.append(f"{module} imports {name}")
            if module.startswith("plvm_photos.web") and (_within(name, "sqlalchemy") or _within(name, "plvm_photos.db")):
                found.append(f"{module} imports {name}")
    assert found == []
