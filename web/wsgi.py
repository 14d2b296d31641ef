"""The one module-level app, for WSGI servers: ``gunicorn web.wsgi:app``."""

from web.app import create_app

app = create_app()
