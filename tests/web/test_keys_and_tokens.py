"""Keys of at least 32 bytes; tokens of at most 30 days, with an issuer and audience checked."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import jwt
import pytest
from click.testing import CliRunner
from web_support import SECRET, WebCase, assert_problem, token

from infrastructure.settings import MAX_TOKEN_TTL_SECONDS, ConfigurationError, Settings
from web.auth import AUDIENCE, ISSUER, TokenError, issue_token
from web.cli import main

DAY = 24 * 3600


def signed(claims: dict, key: str = SECRET) -> dict:
    now = int(time.time())
    base = {"sub": "x", "role": "admin", "iat": now, "exp": now + 600}
    base.update({"iss": ISSUER, "aud": AUDIENCE})
    body = {k: v for k, v in {**base, **claims}.items() if v is not None}
    return {"Authorization": f"Bearer {jwt.encode(body, key, algorithm='HS256')}"}


class TestServerChecks(WebCase):
    def test_a_well_formed_token_of_30_days_is_honoured(self, web):
        now = int(time.time())
        r = web.client.get(
            "/api/v1/overstays?jurisdiction=KAZ", headers=signed({"exp": now + 30 * DAY})
        )
        assert r.status_code == 200

    @pytest.mark.parametrize(
        "claims",
        [
            {"exp": int(time.time()) + 100 * 365 * DAY},  # correctly signed, a 100-year life
            {"iat": int(time.time()) - 31 * DAY, "exp": int(time.time()) + 600},
            {"iss": None},
            {"aud": None},
            {"iss": "someone-else"},
            {"aud": "another-api"},
        ],
        ids=["100-years", "31-days-old", "no-issuer", "no-audience", "other-issuer", "other-aud"],
    )
    def test_other_tokens_are_401(self, web, claims):
        r = web.client.get("/api/v1/overstays?jurisdiction=KAZ", headers=signed(claims))
        assert_problem(r, 401)


def test_issued_tokens_carry_issuer_and_audience_and_live_at_most_30_days():
    claims = jwt.decode(
        token("auditor", ttl=MAX_TOKEN_TTL_SECONDS),
        SECRET,
        algorithms=["HS256"],
        audience=AUDIENCE,
        issuer=ISSUER,
    )
    assert claims["exp"] - claims["iat"] == 30 * DAY
    with pytest.raises(TokenError):
        token("admin", ttl=MAX_TOKEN_TTL_SECONDS + 1)


@pytest.mark.parametrize("key", ["a", "s" * 31, "\u00e9" * 15 + "x"])
def test_a_key_under_32_bytes_is_refused(key):
    with pytest.raises(ConfigurationError, match="at least 32 bytes"):
        Settings(secret_key=key)
    with pytest.raises(ConfigurationError):
        Settings.from_env({"BORDERLEDGER_SECRET_KEY": key})


def test_a_key_of_32_bytes_is_enough_even_in_fewer_characters():
    assert Settings(secret_key="\u00e9" * 16).secret_key == "\u00e9" * 16


def test_a_token_lifetime_setting_over_30_days_is_refused(tmp_path):
    env = {
        "DATABASE_URL": f"sqlite:///{tmp_path}/ledger.db",
        "BORDERLEDGER_SECRET_KEY": SECRET,
        "BORDERLEDGER_TOKEN_TTL_SECONDS": str(31 * DAY),
    }
    with pytest.raises(ConfigurationError, match="30 days"):
        Settings.from_env(env)


@pytest.mark.parametrize(
    "args",
    [
        ["token", "issue", "--role", "admin"],
        ["serve", "--port", "1"],
        ["demo", "--travelers", "1"],
        ["projections", "status"],
    ],
)
def test_every_command_refuses_a_short_key_with_a_clear_message(tmp_path, args):
    env = {"BORDERLEDGER_SECRET_KEY": "a", "DATABASE_URL": f"sqlite:///{tmp_path}/l.db"}
    result = CliRunner().invoke(main, args, env=env)
    assert result.exit_code == 1 and result.stdout == ""
    assert "BORDERLEDGER_SECRET_KEY must be at least 32 bytes" in result.stderr
    assert not (tmp_path / "l.db").exists()


def test_token_issue_refuses_a_ttl_over_30_days(tmp_path):
    env = {"BORDERLEDGER_SECRET_KEY": SECRET, "DATABASE_URL": f"sqlite:///{tmp_path}/l.db"}
    runner = CliRunner()
    args = ["token", "issue", "--role", "admin", "--ttl"]
    refused = runner.invoke(main, [*args, str(100 * 365 * DAY)], env=env)
    assert refused.exit_code == 2 and refused.stdout == ""
    issued = runner.invoke(main, [*args, str(30 * DAY)], env=env)
    assert issued.exit_code == 0
    with pytest.raises(TokenError):
        issue_token(SECRET, "admin", datetime.now(UTC), 31 * DAY)
