"""The dependency rule: imports point inward only (web -> infrastructure -> projections -> domain).

Also: domain/ imports only the standard library and ``eventsourcing.domain``, and neither domain/
nor projections/ reads the clock ("today" and "now" come in as arguments).
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

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
