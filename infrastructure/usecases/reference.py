"""The rules and the border posts the ledger works with, as the API lists them."""

from __future__ import annotations

from domain.posts import PostRegistry
from domain.rulebook import Rulebook, RuleVersion


def rules(rulebook: Rulebook) -> tuple[RuleVersion, ...]:
    return rulebook.versions


def border_posts(posts: PostRegistry) -> list[dict]:
    return [
        {
            "code": p.code,
            "name": p.name,
            "jurisdiction": p.jurisdiction,
            "timezone": p.timezone,
            "office": p.office,
        }
        for p in posts.all()
    ]
