"""A small concurrent HTTP client: keep-alive connections on threads, bounded in count and time."""

from __future__ import annotations

import http.client
import json
import threading
import time
from collections.abc import Callable

# A request: (method, path, body or None); each thread gets its own stream of them.
Request = tuple[str, str, dict | None]


def _worker(host, port, headers, requests, deadline, done, errors) -> None:
    conn = http.client.HTTPConnection(host, port, timeout=30)
    try:
        for method, path, body in requests:
            if time.perf_counter() > deadline:
                return
            payload = json.dumps(body).encode() if body is not None else None
            conn.request(method, path, body=payload, headers=headers)
            response = conn.getresponse()
            response.read()
            if response.status >= 300:
                errors.append(f"{method} {path} → {response.status}")
                return
            done.append(1)
    except (OSError, http.client.HTTPException) as e:
        errors.append(f"{type(e).__name__}: {e}")
    finally:
        conn.close()


def hammer(
    host: str,
    port: int,
    headers: dict,
    streams: list[Callable[[], list[Request]]],
    seconds: float,
) -> float:
    """Requests per second over all streams run at once, stopping early at ``seconds``."""
    done: list[int] = []
    errors: list[str] = []
    plans = [make() for make in streams]
    start = time.perf_counter()
    deadline = start + seconds
    threads = [
        threading.Thread(target=_worker, args=(host, port, headers, p, deadline, done, errors))
        for p in plans
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    took = time.perf_counter() - start
    if errors:
        raise RuntimeError(f"{len(errors)} failed requests, first: {errors[0]}")
    return len(done) / took


def get(host: str, port: int, path: str, headers: dict | None = None) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection(host, port, timeout=5)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()
