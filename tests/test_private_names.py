"""The README's rule on private names, read from the source of biomedkit/ with ``ast``.

A module whose name starts with ``_`` is private to the package that holds it: ``biomedkit/_x.py``
is shared by every subpackage, ``biomedkit/pkg/_x.py`` only by the modules inside ``pkg``. A
function, class or constant whose name starts with ``_`` belongs to its own module: no other
module imports it. Checked here, for every module under ``biomedkit/``:

* ``import biomedkit.pkg._x`` and ``from biomedkit.pkg._x import name`` (or ``from biomedkit.pkg
  import _x``, or a relative import that lands there) from a module outside ``pkg``;
* ``from biomedkit.x import _helper`` from any other module, dunder names such as
  ``__version__`` excepted;
* ``mod._name`` where ``mod`` is a name the file bound to a biomedkit module by an import
  (``import biomedkit as bk``, ``from biomedkit.causal import _models``): the same two rules,
  applied to attribute access;
* ``importlib.import_module("biomedkit.pkg._x")`` with a literal name, as an import.

Private attributes of objects (``model._fitted``) are not checked: which class an object belongs
to is not in the source.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "biomedkit"


def _is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _module_of(path: Path) -> tuple[str, bool]:
    """Dotted name of the module in ``path`` and whether it is a package's ``__init__``."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        return ".".join(parts[:-1]), True
    return ".".join(parts), False


def _source_files() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


MODULES = frozenset(_module_of(path)[0] for path in _source_files())


class _Checker:
    """Collect the violations in one module's syntax tree."""

    def __init__(self, module: str, *, is_package: bool, modules: frozenset[str]):
        self.module = module
        # The package the module sits in: the one whose private modules it may use.
        self.home = module if is_package else module.rpartition(".")[0]
        self.modules = modules
        self.bound: dict[str, str] = {}  # local name -> the biomedkit module it names
        self.found: list[tuple[int, str]] = []

    def _inside(self, package: str) -> bool:
        return self.home == package or self.home.startswith(package + ".")

    def _check_module(self, line: int, target: str) -> None:
        """Each private part of ``target`` must sit in a package that holds this module."""
        parts = target.split(".")
        for i, part in enumerate(parts):
            owner = ".".join(parts[:i])
            if _is_private(part) and i > 0 and not self._inside(owner):
                self.found.append((line, f"uses {target}, private to {owner}, from {self.module}"))
                return

    def _check_name(self, line: int, module: str, name: str) -> None:
        """``module.name``: a submodule, or a name that ``module`` owns."""
        target = f"{module}.{name}"
        if target in self.modules:
            self._check_module(line, target)
        elif _is_private(name) and module != self.module:
            self.found.append((line, f"uses {name}, private to {module}, from {self.module}"))

    def _resolve(self, node: ast.ImportFrom) -> str:
        if not node.level:
            return node.module or ""
        base = self.home.split(".")
        base = base[: len(base) - (node.level - 1)]
        return ".".join(base + ([node.module] if node.module else []))

    def visit_import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.name.split(".")[0] != "biomedkit":
                continue
            self._check_module(node.lineno, alias.name)
            if alias.asname:
                self.bound[alias.asname] = alias.name
            else:
                self.bound["biomedkit"] = "biomedkit"

    def visit_import_from(self, node: ast.ImportFrom) -> None:
        module = self._resolve(node)
        if module.split(".")[0] != "biomedkit":
            return
        self._check_module(node.lineno, module)
        for alias in node.names:
            self._check_name(node.lineno, module, alias.name)
            if f"{module}.{alias.name}" in self.modules:
                self.bound[alias.asname or alias.name] = f"{module}.{alias.name}"

    def visit_call(self, node: ast.Call) -> None:
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if name == "import_module" and node.args and isinstance(node.args[0], ast.Constant):
            target = node.args[0].value
            if isinstance(target, str) and target.split(".")[0] == "biomedkit":
                self._check_module(node.lineno, target)

    def visit_attribute(self, node: ast.Attribute) -> None:
        """``a.b.c``: walk the modules ``a.b`` names, then check ``c`` against the last."""
        parts = [node.attr]
        value = node.value
        while isinstance(value, ast.Attribute):
            parts.append(value.attr)
            value = value.value
        if not isinstance(value, ast.Name) or value.id not in self.bound:
            return
        module = self.bound[value.id]
        for part in reversed(parts[1:]):
            module = f"{module}.{part}"
            if module not in self.modules:
                return  # an object's attribute, not a module's: out of reach of the source
        self._check_name(node.lineno, module, node.attr)

    def run(self, tree: ast.Module) -> list[tuple[int, str]]:
        # Imports first, wherever they are (inside functions too), so that names are bound
        # before the attribute accesses that use them are read.
        nodes = list(ast.walk(tree))
        for node in nodes:
            if isinstance(node, ast.Import):
                self.visit_import(node)
            elif isinstance(node, ast.ImportFrom):
                self.visit_import_from(node)
            elif isinstance(node, ast.Call):
                self.visit_call(node)
        for node in nodes:
            if isinstance(node, ast.Attribute):
                self.visit_attribute(node)
        return sorted(set(self.found))


def violations(source: str, module: str, *, is_package: bool = False,
               modules: frozenset[str] = MODULES) -> list[tuple[int, str]]:
    """``(line, message)`` for each use of a private name in ``source``, the text of ``module``."""
    checker = _Checker(module, is_package=is_package, modules=modules | {module})
    return checker.run(ast.parse(source))


def scan() -> list[str]:
    """``file:line: message`` for every violation under ``biomedkit/``."""
    found = []
    for path in _source_files():
        module, is_package = _module_of(path)
        for line, message in violations(path.read_text(encoding="utf-8"), module, is_package=is_package):
            found.append(f"{path.relative_to(ROOT)}:{line}: {message}")
    return found


def test_biomedkit_uses_no_private_name_of_another_module():
    found = scan()
    assert not found, "private names used across modules (README, 'Private names'):\n" + "\n".join(found)


def test_scan_reads_every_package():
    # A checker that read nothing would pass: make sure it sees the tree it claims to check.
    assert len(MODULES) > 50
    assert {"biomedkit._checks", "biomedkit.datasets._cards", "biomedkit.simulate._common"} <= MODULES


# Planted sources: each line is checked as if it were a module of biomedkit.
PLANTED = frozenset({
    "biomedkit", "biomedkit._checks", "biomedkit._explore", "biomedkit._explore.data",
    "biomedkit.datasets", "biomedkit.datasets._cards", "biomedkit.datasets.loaders",
    "biomedkit.simulate", "biomedkit.simulate._common", "biomedkit.simulate.cohort",
    "biomedkit.explain", "biomedkit.explain._inputs",
})

CAUGHT = [
    ("import biomedkit.datasets._cards", "biomedkit.datasets._cards, private to biomedkit.datasets"),
    ("import biomedkit.datasets._cards as cards", "private to biomedkit.datasets"),
    ("from biomedkit.datasets._cards import get_card", "private to biomedkit.datasets"),
    ("from biomedkit.datasets import _cards", "private to biomedkit.datasets"),
    ("from ..datasets import _cards", "private to biomedkit.datasets"),
    ("from ..datasets._cards import get_card", "private to biomedkit.datasets"),
    ("from biomedkit.datasets.loaders import _require", "_require, private to biomedkit.datasets.loaders"),
    ("from biomedkit.simulate._common import _helper", "_helper, private to biomedkit.simulate._common"),
    ("from biomedkit._checks import _message", "_message, private to biomedkit._checks"),
    ("from biomedkit import datasets\ndatasets._cards.get_card('x')", "private to biomedkit.datasets"),
    ("import biomedkit as bk\nbk.datasets._cards", "private to biomedkit.datasets"),
    ("import biomedkit.datasets.loaders as ld\nld._require('x')", "_require, private to biomedkit.datasets.loaders"),
    ("def f():\n    from biomedkit._checks import _message", "_message"),
    ("import importlib\nimportlib.import_module('biomedkit.explain._inputs')", "private to biomedkit.explain"),
]


@pytest.mark.parametrize(("source", "message"), CAUGHT)
def test_checker_catches_a_planted_violation(source, message):
    found = violations(source, "biomedkit.simulate.cohort", modules=PLANTED)
    assert len(found) == 1, found
    line, text = found[0]
    assert line == source.count("\n") + 1
    assert message in text


ALLOWED = [
    "import biomedkit._checks",
    "from biomedkit._checks import check_int",
    "from biomedkit._explore.data import load",
    "from biomedkit.simulate._common import as_dataset",
    "from . import _common",
    "from ._common import as_dataset",
    "from biomedkit import __version__",
    "from biomedkit.datasets import Dataset, get_card",
    "from sklearn.utils import _safe_indexing",  # another project's rule, not this one
    "import biomedkit as bk\nbk.datasets.load('pbmc')\nbk.__version__",
    "from biomedkit.simulate import _common\n_common.as_dataset",
    "import biomedkit as bk\nbk.datasets.Dataset._private",  # a class's attribute: not checked
    "def f(self):\n    return self._fitted",
]


@pytest.mark.parametrize("source", ALLOWED)
def test_checker_allows_what_the_rule_allows(source):
    assert violations(source, "biomedkit.simulate.cohort", modules=PLANTED) == []


def test_a_package_init_may_use_its_own_private_modules():
    assert violations("from biomedkit.datasets._cards import get_card", "biomedkit.datasets",
                      is_package=True, modules=PLANTED) == []
    assert violations("from biomedkit.explain._inputs import as_frame", "biomedkit.datasets",
                      is_package=True, modules=PLANTED) != []
