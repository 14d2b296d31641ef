"""The master data key and the signing key: from the environment, or generated once, 0600."""

import base64
import os
import stat

import pytest

from infrastructure.keys import (
    DATA_KEY_FILE_NAME,
    SIGNING_KEY_FILE_NAME,
    KeyProblem,
    LedgerKeys,
    load_keys,
    load_public_key,
    signature_valid,
)
from infrastructure.settings import ConfigurationError, Settings

SECRET = "s" * 40


def test_generated_once_private_and_stable(tmp_path):
    first = load_keys({}, tmp_path)
    for name in (DATA_KEY_FILE_NAME, SIGNING_KEY_FILE_NAME):
        assert stat.S_IMODE(os.stat(tmp_path / name).st_mode) == 0o600
    again = load_keys({}, tmp_path)
    assert again.data_key == first.data_key
    assert again.key_id == first.key_id
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_environment_wins_and_bad_keys_are_refused(tmp_path):
    raw = os.urandom(32)
    keys = load_keys({"BORDERLEDGER_DATA_KEY": base64.b64encode(raw).decode()}, tmp_path)
    assert keys.data_key == raw
    assert not (tmp_path / DATA_KEY_FILE_NAME).exists()
    with pytest.raises(KeyProblem, match="base64 of 32 bytes"):
        load_keys({"BORDERLEDGER_DATA_KEY": base64.b64encode(b"short").decode()}, tmp_path)
    with pytest.raises(KeyProblem, match="cannot be read"):
        load_keys({"BORDERLEDGER_SIGNING_KEY": str(tmp_path / "absent.pem")}, tmp_path)
    env = {
        "DATABASE_URL": f"sqlite:///{tmp_path}/x.db",
        "BORDERLEDGER_SECRET_KEY": SECRET,
        "BORDERLEDGER_DATA_KEY": "not base64!",
    }
    with pytest.raises(ConfigurationError, match="BORDERLEDGER_DATA_KEY"):
        Settings.from_env(env)


def test_settings_keep_keys_beside_the_database(tmp_path):
    env = {"DATABASE_URL": f"sqlite:///{tmp_path}/x.db", "BORDERLEDGER_SECRET_KEY": SECRET}
    settings = Settings.from_env(env)
    assert (tmp_path / SIGNING_KEY_FILE_NAME).exists()
    assert Settings.from_env(env).keys.key_id == settings.keys.key_id


def test_signatures_verify_only_for_their_message_and_key():
    keys, other = LedgerKeys.generate(), LedgerKeys.generate()
    signature = keys.sign(b"message")
    public = load_public_key(keys.public_pem)
    assert signature_valid(public, b"message", signature)
    assert not signature_valid(public, b"messagE", signature)
    assert not signature_valid(load_public_key(other.public_pem), b"message", signature)
    assert not signature_valid(public, b"message", "not base64 at all")
    assert keys.seal_key != other.seal_key and len(keys.seal_key) == 32
    assert keys.key_id != other.key_id and len(keys.key_id) == 16
