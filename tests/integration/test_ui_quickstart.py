"""``make run`` (quickstart) prints the pages' address and a token that signs in there."""

from __future__ import annotations

import http.cookiejar
import re
import urllib.parse
import urllib.request

import pytest
from test_cli_serve import free_port, start, stop, wait_until_up


@pytest.mark.timeout(180)  # without the lines it waits for, reading would block for ever
def test_quickstart_prints_the_pages_address_and_a_token_that_signs_in(tmp_path):
    port = free_port()
    proc = start(["quickstart", "--port", str(port)], {"BORDERLEDGER_SECRET_KEY": ""}, tmp_path)
    try:
        lines = []
        while not lines or "/ui/" not in lines[-1]:
            line = proc.stdout.readline()
            assert line, "quickstart stopped before printing the pages' address"
            lines.append(line.strip())
        assert f"http://127.0.0.1:{port}/ui/" in lines[-1]
        token = proc.stdout.readline().strip()
        wait_until_up(port, proc)
        opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        base = f"http://127.0.0.1:{port}/ui/"
        html = opener.open(base, timeout=30).read().decode()
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
        form = urllib.parse.urlencode({"token": token, "csrf_token": csrf}).encode()
        signed = opener.open(base, data=form, timeout=30)
        assert signed.url == base + "travelers"  # the redirect after a good token
        assert "Sign out" in signed.read().decode()
    finally:
        stop(proc)
