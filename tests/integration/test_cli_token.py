"""``borderledger token issue``: one token on stdout, signed with the configured key."""

from __future__ import annotations

import os
import secrets
import stat
import subprocess

import jwt
import pytest
from click.testing import CliRunner
from test_cli_serve import BORDERLEDGER, call, free_port, start, stop, wait_until_up
from web_support import SECRET, build, close

from web.auth import AUDIENCE
from web.cli import main


def issue(tmp_path, *args):
    env = {"BORDERLEDGER_SECRET_KEY": SECRET, "DATABASE_URL": f"sqlite:///{tmp_path}/l.db"}
    return CliRunner().invoke(main, ["token", "issue", *args], env=env)


def claims_of(token: str, key: str = SECRET) -> dict:
    return jwt.decode(token, key, algorithms=["HS256"], audience=AUDIENCE)


def test_prints_exactly_one_token_the_server_accepts(request, tmp_path, tmp_path_factory):
    result = issue(tmp_path, "--role", "auditor", "--subject", "ana", "--ttl", "120")
    assert result.exit_code == 0, result.output
    assert result.stdout.count("\n") == 1
    token = result.stdout.strip()
    claims = claims_of(token)
    assert (claims["sub"], claims["role"], claims["exp"] - claims["iat"]) == ("ana", "auditor", 120)
    web = build(request, tmp_path_factory, "sqlite")
    try:
        r = web.client.get(
            "/api/v1/overstays",
            query_string={"jurisdiction": "KAZ"},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert r.status_code == 200
    finally:
        close(web)


def test_registrar_and_employer_tokens_carry_their_scope(tmp_path):
    registrar = issue(tmp_path, "--role", "registrar", "--office", "KZ-ALA").stdout.strip()
    employer = issue(tmp_path, "--role", "employer", "--employer", "123").stdout.strip()
    assert claims_of(registrar)["office"] == "KZ-ALA"
    assert claims_of(employer)["employer_id"] == "123"


@pytest.mark.parametrize(
    "args",
    [
        ["--role", "registrar"],
        ["--role", "registrar", "--office", "NOWHERE"],
        ["--role", "employer"],
        ["--role", "king"],
        ["--role", "admin", "--ttl", "0"],
        ["--role", "admin", "--subject", "tab\there"],
    ],
)
def test_refuses_incomplete_or_unknown_claims(tmp_path, args):
    result = issue(tmp_path, *args)
    assert result.exit_code == 2 and result.stdout == ""


def test_without_a_configured_key_one_is_generated_and_kept(tmp_path):
    env = {"BORDERLEDGER_SECRET_KEY": "", "DATABASE_URL": f"sqlite:///{tmp_path}/l.db"}
    runner = CliRunner()
    first = runner.invoke(main, ["token", "issue", "--role", "admin"], env=env).stdout.strip()
    kept = (tmp_path / "borderledger.key").read_text().strip()
    assert claims_of(first, kept)["role"] == "admin"
    second = runner.invoke(main, ["token", "issue", "--role", "admin"], env=env).stdout.strip()
    assert claims_of(second, kept)["role"] == "admin"


def test_on_postgresql_a_token_issued_in_one_directory_is_accepted_from_another(
    postgres_url, tmp_path
):
    issuing, serving, config = tmp_path / "a", tmp_path / "b", tmp_path / "config"
    issuing.mkdir(), serving.mkdir()
    env = {
        "BORDERLEDGER_SECRET_KEY": "",
        "BORDERLEDGER_KEY_FILE": "",
        "XDG_CONFIG_HOME": str(config),
        "DATABASE_URL": f"{postgres_url}?schema=keys_{secrets.token_hex(4)}",
    }
    issued = subprocess.run(
        [BORDERLEDGER, "token", "issue", "--role", "auditor"],
        cwd=issuing,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    port = free_port()
    proc = start(["serve", "--port", str(port)], env, serving)
    try:
        wait_until_up(port, proc)
        headers = {"Authorization": f"Bearer {issued}"}
        status, _ = call(port, "GET", "/api/v1/overstays?jurisdiction=KAZ", headers=headers)
    finally:
        stop(proc)
    assert status == 200
    kept = config / "borderledger" / "borderledger.key"
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert claims_of(issued, kept.read_text().strip())["role"] == "auditor"
    assert not list(issuing.iterdir()) and not list(serving.iterdir())


def test_the_key_file_setting_says_where_the_key_is_kept(tmp_path):
    key_file = tmp_path / "keys" / "token.key"
    env = {
        "BORDERLEDGER_SECRET_KEY": "",
        "BORDERLEDGER_KEY_FILE": str(key_file),
        "DATABASE_URL": f"sqlite:///{tmp_path}/l.db",
    }
    issued = CliRunner().invoke(main, ["token", "issue", "--role", "admin"], env=env)
    assert issued.exit_code == 0, issued.output
    assert claims_of(issued.stdout.strip(), key_file.read_text().strip())
    assert not (tmp_path / "borderledger.key").exists()
    key_file.write_text("\n")
    refused = CliRunner().invoke(main, ["token", "issue", "--role", "admin"], env=env)
    assert refused.exit_code == 1 and "is empty" in refused.stderr and refused.stdout == ""
