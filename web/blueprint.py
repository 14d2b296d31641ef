"""flask-smorest's Blueprint, with the guard every endpoint wears and a JSON parser that
cannot raise past itself."""

from __future__ import annotations

import json

import flask_smorest
from webargs.flaskparser import FlaskParser

from web.guards import answers_of, guarded
from web.openapi import problem_response


class JsonParser(FlaskParser):
    """JSON nested deeper than Python's decoder goes is malformed JSON (400), not a crash."""

    def _raw_load_json(self, req):
        try:
            return super()._raw_load_json(req)
        except RecursionError:
            raise json.JSONDecodeError("nested too deeply", "(request body)", 0) from None


class Blueprint(flask_smorest.Blueprint):
    ARGUMENTS_PARSER = JsonParser()

    def endpoint(
        self,
        *,
        roles: tuple[str, ...] = (),
        body: bool = False,
        limit: str | None = None,
        errors: tuple[int, ...] = (),
        store: bool = True,
    ):
        """Guard a view (see ``web.guards``) and document every answer the guard may give,
        plus ``errors`` and 503 when it reads the store, through flask-smorest's own
        decorators."""

        def decorator(view):
            view = guarded(view, roles, body, limit)
            for code in sorted(answers_of(roles, body, limit, errors, store)):
                view = self.alt_response(code, response=problem_response(code))(view)
            if roles:
                view = self.doc(
                    security=[{"bearerAuth": []}], description=f"Roles: {', '.join(roles)}."
                )(view)
            return view

        return decorator
