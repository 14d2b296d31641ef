"""The worked examples the tests read are the ones shared/ publishes."""

from scenarios import COPY, SHARED, load_examples


def test_copy_matches_shared_when_shared_is_beside_the_checkout():
    examples = load_examples()
    assert {c["id"] for c in examples["cases"]} >= {"S01", "S04", "S05", "K01", "K04", "K11"}
    if SHARED.exists():
        assert COPY.read_bytes() == SHARED.read_bytes(), "refresh tests/data/examples.json"
