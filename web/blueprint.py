"""flask-smorest's Blueprint, reading JSON bodies so that no body can raise past the parser."""

from __future__ import annotations

import json

import flask_smorest
from webargs.flaskparser import FlaskParser


class JsonParser(FlaskParser):
    """JSON nested deeper than Python's decoder goes is malformed JSON (400), not a crash."""

    def _raw_load_json(self, req):
        try:
            return super()._raw_load_json(req)
        except RecursionError:
            raise json.JSONDecodeError("nested too deeply", "(request body)", 0) from None


class Blueprint(flask_smorest.Blueprint):
    ARGUMENTS_PARSER = JsonParser()
