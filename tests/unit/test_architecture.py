"""The dependency rule: imports point inward only (web -> infrastructure -> projections -> domain).

Also: domain/ imports only the standard library and ``eventsourcing.domain``, and neither domain/
nor projections/ reads the clock ("today" and "now" come in as arguments).
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PACKAGES = ("domain", "projections", "infrastructure", "web")

# Which of the project's packages each package may import (besides itself).
ALLOWED = {
    "domain": set(),
    "projections": {"domain"},
    "infrastructure": {"projections", "domain"},
    "web": {"infrastructure", "projections", "domain"},
}

# Third-party modules domain/ may import (the module itself or anything below it).
DOMAIN_THIRD_PARTY = ("eventsourcing.domain",)

CLOCK_READS = ("datetime.now(", "datetime.utcnow(", "date.today(", "time.time(")
CLOCK_FREE_PACKAGES = ("domain", "projections")


def imported_modules(
    source: str, package: str, filename: str = "<source>"
) -> list[tuple[int, str]]:
    """(line, dotted module) for every import in ``source``, a file of ``package``.

    Relative imports resolve to ``package`` itself. ``from a import b`` is reported as ``a.b``, so
    that ``from eventsourcing import domain`` and ``from eventsourcing import persistence`` can be
    told apart.
    """
    tree = ast.parse(source, filename=filename)
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                found.append((node.lineno, package))
            else:
                assert node.module is not None
                found.extend((node.lineno, f"{node.module}.{alias.name}") for alias in node.names)
    return found


def _is_domain_allowed(module: str) -> bool:
    top = module.split(".")[0]
    if top == "domain" or top in sys.stdlib_module_names:
        return True
    return any(module == m or module.startswith(m + ".") for m in DOMAIN_THIRD_PARTY)


def check_source(source: str, package: str, filename: str = "<source>") -> list[str]:
    """Violations of the dependency rule (and, for domain/, the stdlib-only rule) in one file."""
    violations = []
    for line, module in imported_modules(source, package, filename):
        top = module.split(".")[0]
        if top in ALLOWED and top != package and top not in ALLOWED[package]:
            violations.append(f"{filename}:{line}: {package} must not import {module}")
        elif package == "domain" and not _is_domain_allowed(module):
            violations.append(
                f"{filename}:{line}: domain may import only the standard library and "
                f"eventsourcing.domain, not {module}"
            )
    return violations


def check_clock(source: str, filename: str = "<source>") -> list[str]:
    """Lines of ``source`` that read the clock."""
    return [
        f"{filename}:{number}: reads the clock ({needle})"
        for number, text in enumerate(source.splitlines(), start=1)
        for needle in CLOCK_READS
        if needle in text
    ]


def package_files(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


# --- the checker itself must be able to fail --------------------------------------------------


@pytest.mark.parametrize(
    ("package", "source"),
    [
        ("domain", "import web.app"),
        ("domain", "from infrastructure.settings import Settings"),
        ("domain", "import projections"),
        ("domain", "import psycopg"),
        ("domain", "from eventsourcing.application import Application"),
        ("domain", "from eventsourcing import persistence"),
        ("projections", "from infrastructure import runner"),
        ("projections", "import web"),
        ("infrastructure", "from web.app import create_app"),
        ("infrastructure", "def f():\n    import web.cli\n"),
    ],
)
def test_checker_reports_outward_imports(package, source):
    assert check_source(source, package)


@pytest.mark.parametrize(
    ("package", "source"),
    [
        ("domain", "import datetime\nfrom zoneinfo import ZoneInfo\nimport dataclasses"),
        ("domain", "from eventsourcing.domain import Aggregate, event"),
        ("domain", "from eventsourcing import domain"),
        ("domain", "from __future__ import annotations\nfrom .rules import Limit"),
        ("domain", "from domain.rules import Limit"),
        ("projections", "from domain.traveler import Traveler\nfrom . import views"),
        ("infrastructure", "from projections.status import evolve\nimport psycopg"),
        ("infrastructure", "from eventsourcing.application import Application"),
        ("web", "from infrastructure.service import LedgerService\nimport flask"),
        ("web", "from domain import rules\nfrom projections import views"),
        ("web", "from ..web import schemas"),
    ],
)
def test_checker_accepts_inward_imports(package, source):
    assert check_source(source, package) == []


def test_clock_checker_reports_clock_reads():
    source = "x = 1\nnow = datetime.now(tz)\ntoday = date.today()\nt = time.time()\n"
    assert [v.split(":")[1] for v in check_clock(source)] == ["2", "3", "4"]
    assert check_clock("def status(as_of, now):\n    return as_of\n") == []


# --- the real packages --------------------------------------------------------------------------


@pytest.mark.parametrize("package", PACKAGES)
def test_imports_point_inward(package):
    files = package_files(package)
    assert files, f"{package}/ has no Python files"
    violations = []
    for path in files:
        rel = path.relative_to(ROOT).as_posix()
        violations += check_source(path.read_text(encoding="utf-8"), package, rel)
    assert not violations, "\n".join(violations)


@pytest.mark.parametrize("package", CLOCK_FREE_PACKAGES)
def test_no_clock_reads(package):
    violations = []
    for path in package_files(package):
        rel = path.relative_to(ROOT).as_posix()
        violations += check_clock(path.read_text(encoding="utf-8"), rel)
    assert not violations, "\n".join(violations)


# --- database drivers and libraries' private names -----------------------------------------------

DRIVERS = ("psycopg", "psycopg_pool", "sqlite3")
LIBRARIES = ("eventsourcing", "flask_smorest", "apispec", "marshmallow", "flask", "psycopg")
# Every use of a library's private name lives in infrastructure/eventstore/: no exceptions.
PRIVATE_ALLOWED: set[tuple[str, str]] = set()


def check_drivers(source: str, package: str, filename: str = "<source>") -> list[str]:
    """web/ imports no database driver: infrastructure turns their errors into StoreUnavailable."""
    if package != "web":
        return []
    return [
        f"{filename}:{line}: web must not import the database driver {module}"
        for line, module in imported_modules(source, package, filename)
        if module.split(".")[0] in DRIVERS
    ]


def _root_name(node: ast.expr) -> str:
    """The imported name a base is reached by: ``A`` for ``A``, ``A[int]`` and ``A.B``."""
    while isinstance(node, ast.Subscript | ast.Attribute):
        node = node.value
    return node.id if isinstance(node, ast.Name) else ""


def check_private_names(source: str, filename: str = "<source>") -> list[str]:
    """Underscore names of a library, used outside infrastructure/eventstore/.

    A name counts as the library's when (a) it is imported from the library
    (``from eventsourcing.x import _y``), (b) it is read off a name imported from the library
    (``persistence._y``, ``Application._y``), or (c) it is read off ``self``/``super()`` in a
    class with a base imported from the library and is not defined by this file (as a method,
    or by assignment to ``self._y``). Dunder names are not private names.
    """
    tree = ast.parse(source, filename=filename)
    private = lambda name: name.startswith("_") and not name.startswith("__")  # noqa: E731
    library_names: set[str] = set()
    own: set[str] = set()
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module.split(".")[0] in LIBRARIES:
                for alias in node.names:
                    if private(alias.name):
                        found.append((node.lineno, alias.name))
                    library_names.add(alias.asname or alias.name)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in LIBRARIES:
                    library_names.add((alias.asname or alias.name).split(".")[0])
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            own.add(node.name)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            own.add(node.attr)
    for cls in (n for n in ast.walk(tree) if isinstance(n, ast.ClassDef)):
        bases = {_root_name(b) for b in cls.bases}
        if not bases & library_names:
            continue
        for node in ast.walk(cls):
            if not (isinstance(node, ast.Attribute) and private(node.attr)):
                continue
            target = node.value
            is_self = isinstance(target, ast.Name) and target.id == "self"
            is_super = isinstance(target, ast.Call) and getattr(target.func, "id", "") == "super"
            if (is_self or is_super) and node.attr not in own:
                found.append((node.lineno, node.attr))
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and private(node.attr)
            and isinstance(node.value, ast.Name)
            and node.value.id in library_names
        ):
            found.append((node.lineno, node.attr))
    return sorted({f"{filename}:{line}: uses the library's private {name}" for line, name in found})


@pytest.mark.parametrize(
    "source",
    [
        "import psycopg",
        "from psycopg_pool import PoolTimeout",
        "import sqlite3",
        "def f():\n    import psycopg.errors\n",
    ],
)
def test_driver_checker_reports_drivers_in_web(source):
    assert check_drivers(source, "web")
    assert check_drivers(source, "infrastructure") == []


@pytest.mark.parametrize(
    "source",
    [
        "from eventsourcing.persistence import _private",
        "from eventsourcing import persistence\nx = persistence._thing",
        "from flask_smorest import Api\nclass A(Api):\n    def f(self):\n        self._spec()\n",
        "from eventsourcing.application import Application\n"
        "class A(Application[int]):\n    def f(self):\n        return super()._record(1)\n",
    ],
)
def test_private_name_checker_reports_library_privates(source):
    assert check_private_names(source)


@pytest.mark.parametrize(
    "source",
    [
        "class A:\n    def f(self):\n        return self._mine\n",
        "from flask import Flask\nclass A(Flask):\n"
        "    def _own(self):\n        return self._own()\n",
        "from flask import Flask\nclass A(Flask):\n    def f(self):\n        self._x = 1\n"
        "        return self._x\n",
        "from flask import Flask\nx = Flask.__name__",
    ],
)
def test_private_name_checker_accepts_own_names(source):
    assert check_private_names(source) == []


def test_web_imports_no_database_driver():
    violations = []
    for path in package_files("web"):
        rel = path.relative_to(ROOT).as_posix()
        violations += check_drivers(path.read_text(encoding="utf-8"), "web", rel)
    assert not violations, "\n".join(violations)


@pytest.mark.parametrize("package", PACKAGES)
def test_no_library_private_names_outside_the_event_store(package):
    violations = []
    for path in package_files(package):
        rel = path.relative_to(ROOT).as_posix()
        if rel.startswith("infrastructure/eventstore/"):
            continue
        for v in check_private_names(path.read_text(encoding="utf-8"), rel):
            name = v.rsplit(" ", 1)[1]
            if (rel, name) not in PRIVATE_ALLOWED:
                violations.append(v)
    assert not violations, "\n".join(violations)
