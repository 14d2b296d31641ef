"""The rulebook as data: immutable rule versions, their limits and policies (domain.md §3–4)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from functools import cached_property

PER_ENTRY = "per_entry"
ROLLING_WINDOW = "rolling_window"
FIXED_BLOCK = "fixed_block"
UNLIMITED = "unlimited"
LIMIT_KINDS = (PER_ENTRY, ROLLING_WINDOW, FIXED_BLOCK, UNLIMITED)

BY_ENTRY_DATE = "by_entry_date"
BY_DAY = "by_day"

ALL_PRESENCE = "all_presence"
STAYS_ENTERED_SINCE_EFFECTIVE = "stays_entered_since_effective"
DAYS_SINCE_EFFECTIVE = "days_since_effective"
LOOKBACKS = (ALL_PRESENCE, STAYS_ENTERED_SINCE_EFFECTIVE, DAYS_SINCE_EFFECTIVE)

EAEU = ("ARM", "BLR", "KGZ", "RUS")
# Visa-free short-stay nationalities (data, not law text): the EU Annex II list in part, and the
# Kazakh 30-day list, which covers at least these.
SCHENGEN_VISA_FREE = (
    "ALB",
    "AND",
    "ARE",
    "ARG",
    "AUS",
    "BRA",
    "CAN",
    "CHL",
    "COL",
    "GBR",
    "ISR",
    "JPN",
    "KOR",
    "MEX",
    "MDA",
    "MKD",
    "NZL",
    "SGP",
    "SRB",
    "TWN",
    "UKR",
    "URY",
    "USA",
)
KAZ_VISA_FREE_30 = (
    "ARE",
    "ARG",
    "AUS",
    "BRA",
    "CAN",
    "CHE",
    "CHL",
    "GBR",
    "ISR",
    "JPN",
    "KOR",
    "MEX",
    "MYS",
    "NZL",
    "SGP",
    "TUR",
    "USA",
)


@dataclass(frozen=True)
class Limit:
    kind: str
    max_days: int | None = None
    window_days: int | None = None
    block_days: int | None = None

    def __post_init__(self) -> None:
        if self.kind not in LIMIT_KINDS:
            raise ValueError(f"unknown limit kind {self.kind!r}")
        needs = {
            PER_ENTRY: ("max_days",),
            ROLLING_WINDOW: ("max_days", "window_days"),
            FIXED_BLOCK: ("max_days", "block_days"),
            UNLIMITED: (),
        }[self.kind]
        for name in needs:
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"{self.kind} needs a positive {name}")

    @property
    def span(self) -> int:
        """How far back (in days) this limit can look."""
        return self.window_days or self.block_days or self.max_days or 0

    def as_dict(self) -> dict:
        # Built by hand: dataclasses.asdict deep-copies, and every status answer calls this.
        doc = {"kind": self.kind}
        for name in ("max_days", "window_days", "block_days"):
            value = getattr(self, name)
            if value is not None:
                doc[name] = value
        return doc


@dataclass(frozen=True)
class RuleVersion:
    id: str
    jurisdiction: str
    nationalities: frozenset[str]
    effective_from: date
    effective_until: date | None
    limits: tuple[Limit, ...]
    transition: str = BY_DAY
    lookback: str = ALL_PRESENCE
    exempt_days_count_later: bool = False
    source: str = ""
    # Nationalities whose coverage ends before the version's own end.
    nationality_until: tuple[tuple[str, date], ...] = ()

    def __post_init__(self) -> None:
        if not self.limits:
            raise ValueError(f"{self.id}: a version needs at least one limit")
        if self.transition not in (BY_ENTRY_DATE, BY_DAY):
            raise ValueError(f"{self.id}: unknown transition {self.transition!r}")
        if self.lookback not in LOOKBACKS:
            raise ValueError(f"{self.id}: unknown lookback {self.lookback!r}")
        if self.effective_until and self.effective_until < self.effective_from:
            raise ValueError(f"{self.id}: ends before it starts")

    def until_for(self, nationality: str) -> date | None:
        for nat, until in self.nationality_until:
            if nat == nationality:
                return until
        return self.effective_until

    def applies(self, nationality: str) -> bool:
        return nationality in self.nationalities

    @property
    def kind(self) -> str:
        return "+".join(limit.kind for limit in self.limits)

    @property
    def nationality_until_map(self) -> dict[str, date]:
        return dict(self.nationality_until)

    @property
    def policies(self) -> dict:
        return {
            "transition": self.transition,
            "lookback": self.lookback,
            "exempt_days_count_later": self.exempt_days_count_later,
        }

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "jurisdiction": self.jurisdiction,
            "kind": self.kind,
            "limits": [limit.as_dict() for limit in self.limits],
            "nationalities": sorted(self.nationalities),
            "effective_from": self.effective_from.isoformat(),
            "effective_until": self.effective_until.isoformat() if self.effective_until else None,
            "nationality_until": {n: d.isoformat() for n, d in self.nationality_until},
            "policies": self.policies,
            "source": self.source,
        }


@dataclass(frozen=True)
class Rulebook:
    versions: tuple[RuleVersion, ...]
    settings: dict = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        ids = [v.id for v in self.versions]
        if len(ids) != len(set(ids)):
            raise ValueError("rule version ids must be unique")

    def for_traveler(self, jurisdiction: str, nationality: str) -> list[RuleVersion]:
        """The versions that can govern this nationality here, oldest first."""
        found = [
            v for v in self.versions if v.jurisdiction == jurisdiction and v.applies(nationality)
        ]
        return sorted(found, key=lambda v: v.effective_from)

    def get(self, version_id: str) -> RuleVersion:
        for v in self.versions:
            if v.id == version_id:
                return v
        raise KeyError(version_id)

    @cached_property
    def digest(self) -> str:
        """Fingerprint of the rulebook: read models computed under another one are stale.

        Computed once: the rulebook is frozen, and every status answer carries it.
        """
        payload = json.dumps([v.as_dict() for v in self.versions], sort_keys=True)
        return hashlib.sha256(payload.encode()).hexdigest()[:16]


KAZ_DEFAULT_EFFECTIVE = date(2023, 1, 27)


def default_rulebook(kaz_effective: date = KAZ_DEFAULT_EFFECTIVE) -> Rulebook:
    """The rulebook that ships (domain.md §4); the Kazakh 2023 date is configurable."""
    kaz_before = kaz_effective - timedelta(days=1)
    return Rulebook(
        (
            RuleVersion(
                id="KAZ-EAEU-PER-ENTRY",
                jurisdiction="KAZ",
                nationalities=frozenset(EAEU),
                effective_from=date(2015, 1, 1),
                effective_until=kaz_before,
                limits=(Limit(PER_ENTRY, max_days=90),),
                transition=BY_ENTRY_DATE,
                source="EAEU Treaty (2014) Art. 97; Resolution No. 148 (2012)",
            ),
            RuleVersion(
                id="KAZ-EAEU-90-180",
                jurisdiction="KAZ",
                nationalities=frozenset(EAEU),
                effective_from=kaz_effective,
                effective_until=None,
                limits=(Limit(ROLLING_WINDOW, max_days=90, window_days=180),),
                transition=BY_ENTRY_DATE,
                # The ministry, January 2023: "no retroactive force", a fresh count from the date.
                lookback=DAYS_SINCE_EFFECTIVE,
                source="Government Resolution No. 1146 of 31 Dec 2022 amending No. 148 (2012)",
            ),
            RuleVersion(
                id="KAZ-VISA-FREE-30",
                jurisdiction="KAZ",
                nationalities=frozenset(KAZ_VISA_FREE_30),
                effective_from=kaz_effective,
                effective_until=None,
                limits=(
                    Limit(PER_ENTRY, max_days=30),
                    Limit(ROLLING_WINDOW, max_days=90, window_days=180),
                ),
                transition=BY_ENTRY_DATE,
                source="Resolution No. 1146 of 31 Dec 2022; Law On Population Migration Art. 6",
            ),
            RuleVersion(
                id="KGZ-RUS-UNLIMITED",
                jurisdiction="KGZ",
                nationalities=frozenset({"RUS"}),
                effective_from=date(2015, 6, 19),
                effective_until=date(2024, 9, 4),
                limits=(Limit(UNLIMITED),),
                transition=BY_DAY,
                source="Agreement between Russia and Kyrgyzstan on citizens' stay (2015)",
            ),
            RuleVersion(
                id="KGZ-EAEU-90-180",
                jurisdiction="KGZ",
                nationalities=frozenset({"ARM", "BLR", "KAZ", "RUS"}),
                effective_from=date(2024, 9, 5),
                effective_until=None,
                nationality_until=(("KAZ", date(2025, 8, 31)),),
                limits=(Limit(ROLLING_WINDOW, max_days=90, window_days=180),),
                transition=BY_DAY,
                source="Kyrgyz migration rules of 2024 (transition assumed by_day)",
            ),
            RuleVersion(
                id="KGZ-KAZ-BLOCK",
                jurisdiction="KGZ",
                nationalities=frozenset({"KAZ"}),
                effective_from=date(2025, 9, 1),
                effective_until=None,
                limits=(Limit(FIXED_BLOCK, max_days=90, block_days=180),),
                transition=BY_DAY,
                source="Kyrgyz-Kazakh arrangement of 2025 (transition assumed by_day)",
            ),
            RuleVersion(
                id="SCHENGEN-90-180",
                jurisdiction="SCHENGEN",
                nationalities=frozenset(SCHENGEN_VISA_FREE),
                effective_from=date(2013, 10, 18),
                effective_until=None,
                limits=(Limit(ROLLING_WINDOW, max_days=90, window_days=180),),
                transition=BY_DAY,
                source="Schengen Borders Code Art. 6 (Reg. (EU) 610/2013); Reg. (EU) 2017/2226",
            ),
        ),
        settings={"kaz_effective": kaz_effective.isoformat()},
    )


def with_policy(book: Rulebook, version_id: str, **changes) -> Rulebook:
    """A rulebook where one version's policies differ (for what-if answers and tests)."""
    versions = tuple(replace(v, **changes) if v.id == version_id else v for v in book.versions)
    return Rulebook(versions, settings=book.settings)
