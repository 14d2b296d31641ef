"""A regular install (the built wheel, as the Dockerfile does), not the editable one, serves."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest
from test_cli_serve import free_port, stop
from web_support import SECRET

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("domain", "projections", "infrastructure", "web")
NOT_SOURCE = shutil.ignore_patterns(
    ".git", ".venv", "__pycache__", "*.pyc", "build", "dist", "*.egg-info", "*.db*", "*.key"
)

pytestmark = pytest.mark.slow


def package_files() -> set[str]:
    """Every file of the packages in the checkout: modules and any data beside them."""
    return {
        path.relative_to(ROOT).as_posix()
        for name in PACKAGES
        for path in (ROOT / name).rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    }


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel built from a copy of the checkout, so no earlier build/ leaks into it."""
    tmp = tmp_path_factory.mktemp("wheel")
    source = tmp / "source"
    shutil.copytree(ROOT, source, ignore=NOT_SOURCE)
    out = tmp / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(source)],
        check=True,
        cwd=tmp,
    )
    (built,) = out.glob("borderledger-*.whl")
    return built


def test_the_wheel_holds_every_package_file(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    missing = package_files() - names
    assert not missing, f"not in the wheel: {sorted(missing)}"
    assert {"web/schemas/__init__.py", "web/api/__init__.py"} <= names
    assert not [n for n in names if n.startswith(("tests/", "bench/"))]


def test_the_installed_wheel_serves_the_openapi_document(wheel, tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python, borderledger = venv / "bin" / "python", venv / "bin" / "borderledger"
    subprocess.run(
        [python, "-m", "pip", "install", "-q", "--disable-pip-version-check", str(wheel)],
        check=True,
        cwd=tmp_path,
    )
    # Away from the checkout, nothing but the installed copy can be imported.
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    where = subprocess.run(
        [python, "-c", "import web.schemas, web.api; print(web.__file__)"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert Path(where.strip()).is_relative_to(venv)
    port = free_port()
    env |= {"DATABASE_URL": f"sqlite:///{tmp_path}/x.db", "BORDERLEDGER_SECRET_KEY": SECRET}
    proc = subprocess.Popen(
        [borderledger, "serve", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        document = openapi_of(port, proc)
    finally:
        stop(proc)
    assert document["openapi"].startswith("3.")
    assert "/api/v1/travelers/{traveler_id}/status" in document["paths"]


def openapi_of(port: int, proc: subprocess.Popen, seconds: float = 60) -> dict:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"the installed server exited: {proc.stderr.read()[-2000:]}")
        try:
            url = f"http://127.0.0.1:{port}/api/v1/openapi.json"
            with urllib.request.urlopen(url, timeout=2) as r:
                assert r.status == 200
                return json.loads(r.read())
        except OSError:
            time.sleep(0.2)
    raise AssertionError("the installed server did not answer in time")
