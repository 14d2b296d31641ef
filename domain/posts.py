"""Border posts: which jurisdiction a crossing belongs to and which clock dates it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from domain.errors import ValidationError
from domain.records import FIRST_DAY, LAST_DAY


@dataclass(frozen=True)
class BorderPost:
    code: str
    name: str
    jurisdiction: str
    timezone: str
    office: str

    def local_date(self, instant: datetime) -> date:
        """The calendar day at the post: the unit every rule counts in."""
        if instant.tzinfo is None or instant.utcoffset() is None:
            raise ValidationError({"occurred_at": ["instant needs a UTC offset"]})
        day = instant.astimezone(ZoneInfo(self.timezone)).date()
        if not FIRST_DAY <= day <= LAST_DAY:
            raise ValidationError(
                {"occurred_at": [f"the local date must fall between {FIRST_DAY} and {LAST_DAY}"]}
            )
        return day


REFERENCE_TIMEZONES = {
    "KAZ": "Asia/Almaty",
    "KGZ": "Asia/Bishkek",
    "SCHENGEN": "Europe/Brussels",
}

JURISDICTIONS = tuple(REFERENCE_TIMEZONES)

_DEFAULT_POSTS = (
    BorderPost("KZ-ALA", "Almaty airport", "KAZ", "Asia/Almaty", "KZ-ALA"),
    BorderPost("KZ-NQZ", "Astana airport", "KAZ", "Asia/Almaty", "KZ-NQZ"),
    BorderPost("KZ-URA", "Oral airport", "KAZ", "Asia/Oral", "KZ-URA"),
    BorderPost("KG-FRU", "Bishkek Manas airport", "KGZ", "Asia/Bishkek", "KG-FRU"),
    BorderPost("FR-CDG", "Paris Charles de Gaulle", "SCHENGEN", "Europe/Paris", "FR-CDG"),
    BorderPost("DE-FRA", "Frankfurt airport", "SCHENGEN", "Europe/Berlin", "DE-FRA"),
)


class PostRegistry:
    """The border-post registry; data, extensible by configuration."""

    def __init__(self, posts: tuple[BorderPost, ...] | list[BorderPost] = _DEFAULT_POSTS):
        self._posts = {p.code: p for p in posts}
        for p in posts:
            if p.jurisdiction not in REFERENCE_TIMEZONES:
                raise ValueError(f"post {p.code}: unknown jurisdiction {p.jurisdiction}")
            ZoneInfo(p.timezone)

    def get(self, code: str) -> BorderPost:
        try:
            return self._posts[code]
        except KeyError:
            raise ValidationError({"border_post": [f"unknown border post {code!r}"]}) from None

    def __contains__(self, code: object) -> bool:
        return code in self._posts

    def all(self) -> list[BorderPost]:
        return sorted(self._posts.values(), key=lambda p: p.code)

    def posts_of_office(self, office: str) -> set[str]:
        return {p.code for p in self._posts.values() if p.office == office}

    def with_posts(self, extra: list[BorderPost]) -> PostRegistry:
        return PostRegistry([*self._posts.values(), *extra])


def reference_today(jurisdiction: str, now: datetime) -> date:
    """'Today' in the jurisdiction's reference zone, given the caller's clock."""
    return now.astimezone(ZoneInfo(REFERENCE_TIMEZONES[jurisdiction])).date()
