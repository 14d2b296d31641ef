"""The pages for people (api.md "Web pages"): server-rendered, same roles and scopes as the API."""

from __future__ import annotations

from flask import Flask

from web.ui.session import PageSessionInterface


def register_pages(app: Flask, secret: str, proxy_hops: int = 0) -> None:
    from web.ui.views import blp

    app.session_interface = PageSessionInterface(secret, proxy_hops)
    app.register_blueprint(blp)
