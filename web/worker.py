"""gunicorn's worker, with the refusals gunicorn writes itself (before the app sees a request)
answered as problem+json like every other error, and logged without the request's content."""

from __future__ import annotations

import json
from ssl import SSLError

from gunicorn import util
from gunicorn.http import errors
from gunicorn.workers.gthread import ThreadWorker

from web.problems import PROBLEM_JSON, problem_body

# Most specific first: InvalidResponseHeader is an InvalidHeader, but the app's fault.
_REFUSALS = (
    (errors.InvalidResponseHeader, 500, "an unexpected error occurred"),
    (errors.InvalidResponseHeaderName, 500, "an unexpected error occurred"),
    (errors.ConfigurationProblem, 500, "the server is misconfigured"),
    (errors.LimitRequestLine, 414, "the request line is too long: send personal data in a body"),
    (errors.LimitRequestHeaders, 431, "the request headers are too large"),
    (errors.ExpectationFailed, 417, "the Expect header cannot be met"),
    (errors.UnsupportedTransferCoding, 501, "the transfer coding is not supported"),
    (errors.ForbiddenProxyRequest, 403, "proxy requests are not accepted from this address"),
    (errors.ParseException, 400, "the request is not valid HTTP"),
    (SSLError, 403, "the TLS handshake failed"),
)


def refusal(exc: BaseException) -> tuple[int, str]:
    """The status and detail gunicorn's own answer to ``exc`` would carry."""
    for cls, status, detail in _REFUSALS:
        if isinstance(exc, cls):
            return status, detail
    return 500, "an unexpected error occurred"


def problem_response(status: int, detail: str) -> bytes:
    problem = problem_body(status, detail)
    body = json.dumps(problem).encode()
    head = (
        f"HTTP/1.1 {status} {problem['title']}\r\n"
        "Connection: close\r\n"
        f"Content-Type: {PROBLEM_JSON}\r\n"
        "Cache-Control: no-store\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode("latin-1") + body


class ProblemWorker(ThreadWorker):
    """The gthread worker; only ``handle_error``, gunicorn's documented hook, differs."""

    def handle_error(self, req, client, addr, exc):
        status, detail = refusal(exc)
        ip = (addr or ("",))[0]
        # Neither the request line nor a header goes to the log: they may carry personal data.
        if status == 500:
            self.log.exception("error handling a request from ip=%s", ip)
        else:
            self.log.warning("refused a request from ip=%s: %s %s", ip, status, type(exc).__name__)
        try:
            util.write_nonblock(client, problem_response(status, detail))
        except Exception:
            self.log.debug("failed to send the error response")
