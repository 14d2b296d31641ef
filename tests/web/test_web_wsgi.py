"""The one module-level app, as ``gunicorn web.wsgi:app`` loads it from the environment."""

from __future__ import annotations

import os
import subprocess
import sys


def test_wsgi_module_builds_the_app_from_the_environment(tmp_path):
    code = (
        "from web.wsgi import app\n"
        "r = app.test_client().get('/api/v1/border-posts')\n"
        "print(r.status_code, app.extensions['borderledger'].settings.database_url)\n"
    )
    url = f"sqlite:///{tmp_path}/wsgi.db"
    env = {**os.environ, "DATABASE_URL": url, "BORDERLEDGER_SECRET_KEY": "k" * 40}
    out = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        cwd=tmp_path,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert out.split() == ["200", url]


def test_importing_the_factory_builds_nothing(tmp_path):
    code = "import web.app, web.cli; import sys; print('web.wsgi' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, check=True, capture_output=True, text=True
    ).stdout
    assert out.strip() == "False"
    assert list(tmp_path.iterdir()) == []
