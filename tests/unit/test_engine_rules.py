"""Table-driven rule cases, one behaviour each: Given stays, When status (or plan), Then answer.

Every expected value is worked out by hand in the case's comment (ordinal-day arithmetic:
``D - 179`` is the first day of the window ending on D). Crossings are taken at 04:00Z (entry)
and 10:00Z (exit); a re-entry on the date of the previous exit is taken at 12:00Z, so it comes
after that exit. Posts: KZ-ALA (KAZ), KG-FRU (KGZ), FR-CDG (SCHENGEN); at these hours the
local date equals the UTC date.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

import pytest

from domain.answers import Period, PlanAnswer, StatusAnswer
from domain.engine import Engine, Facts
from domain.errors import ValidationError
from domain.posts import PostRegistry
from domain.records import Crossing, Exemption
from domain.rulebook import (
    ALL_PRESENCE,
    STAYS_ENTERED_SINCE_EFFECTIVE,
    Rulebook,
    default_rulebook,
    with_policy,
)
from domain.traveler import RecordedBy, Traveler

POSTS = PostRegistry()
POST_OF = {"KAZ": "KZ-ALA", "KGZ": "KG-FRU", "SCHENGEN": "FR-CDG"}
BOOK = default_rulebook()
BOOK_26 = default_rulebook(date(2023, 1, 26))


def D(s: str) -> date:
    return date.fromisoformat(s)


def _crossing(jur: str, direction: str, day: str, hour: int, n: int) -> Crossing:
    post = POSTS.get(POST_OF[jur])
    at = datetime.combine(D(day), time(hour), UTC)
    return Crossing(f"c{n}", direction, post.code, jur, at, post.local_date(at), seq=n)


def crossings(jur: str, stays=(), events=()) -> list[Crossing]:
    """Stays as "entry..exit" / "entry.." strings; events as (direction, day[, hour])."""
    out: list[Crossing] = []
    last_exit = None
    for s in stays:
        a, _, b = s.partition("..")
        hour = 12 if a == last_exit else 4
        out.append(_crossing(jur, "entry", a, hour, len(out) + 1))
        if b:
            out.append(_crossing(jur, "exit", b, 10, len(out) + 1))
        last_exit = b or None
    for ev in events:
        direction, day, *hour = ev
        default = 4 if direction == "entry" else 10
        out.append(_crossing(jur, direction, day, hour[0] if hour else default, len(out) + 1))
    return out


def employment(valid_from: str, valid_until: str, ended_on: str | None = None, jur="KAZ"):
    return Exemption(
        exemption_id="x1",
        kind="employment",
        jurisdiction=jur,
        valid_from=D(valid_from),
        valid_until=D(valid_until),
        contract_number="EC-1",
        employer_id="123456789012",
        ended_on=D(ended_on) if ended_on else None,
        end_reason="terminated" if ended_on else None,
    )


def engine(jur, nat, stays=(), events=(), exemptions=(), book=BOOK) -> Engine:
    facts = Facts.from_crossings(jur, nat, crossings(jur, stays, events), list(exemptions))
    return Engine(book, facts)


def get(answer, path: str):
    """An attribute of the answer by its dotted name (``limits.1.days_used``)."""
    for part in path.split("."):
        answer = answer[int(part)] if part.isdigit() else getattr(answer, part)
    return answer


def check(answer: StatusAnswer | PlanAnswer, expect: dict) -> None:
    for path, value in expect.items():
        if path == "anomaly_kinds":
            assert sorted(a.kind for a in answer.anomalies) == value
        elif path == "overstay_total":
            assert sum(p.days for p in answer.overstay.periods) == value
        else:
            assert get(answer, path) == value, path


# -- status cases ---------------------------------------------------------------------------
# Each: (id, jurisdiction, nationality, stays, events, exemptions, book, as_of, expected)

STATUS_CASES = [
    # ---- Kazakhstan, the change of 27 January 2023 (transition by_entry_date) -------------
    (
        # Prior stay 2022-10-01..12-15 = 31+30+15 = 76 days. Entered 2023-01-20, before the
        # change: the stay runs under per-entry to its end. On 2023-03-01 it has lasted
        # Jan 20..31 (12) + Feb (28) + Mar 1 (1) = 41 days; 90-41 = 49; last legal day
        # 2023-01-20 + 89 = 2023-04-19. Under 90/180 it would be 76+41 = 117 (an overstay):
        # the old stay must not count.
        "kaz-entered-01-20-runs-per-entry",
        "KAZ",
        "RUS",
        ["2022-10-01..2022-12-15", "2023-01-20.."],
        [],
        [],
        BOOK,
        "2023-03-01",
        {
            "rule.id": "KAZ-EAEU-PER-ENTRY",
            "days_used": 41,
            "days_remaining": 49,
            "window.start": D("2023-01-20"),
            "window.end": D("2023-03-01"),
            "latest_legal_exit": D("2023-04-19"),
            "overstay.periods": (),
        },
    ),
    (
        # Same prior 76 days; entered 2023-01-27: judged 90/180, but the look-back counts only
        # days from 27 January 2023 (days_since_effective, domain.md §4): the 76 days of 2022
        # do not count. On 2023-02-09: Jan 27..Feb 9 = 5+9 = 14 used, 76 left; a fresh 90 days
        # to 01-27 + 89 = 2023-04-26 (nothing rolls out of the window before July).
        "kaz-entered-01-27-judged-90-180",
        "KAZ",
        "RUS",
        ["2022-10-01..2022-12-15", "2023-01-27.."],
        [],
        [],
        BOOK,
        "2023-02-09",
        {
            "rule.id": "KAZ-EAEU-90-180",
            "rule.version.lookback": "days_since_effective",
            "window.start": D("2022-08-14"),
            "days_used": 14,
            "days_remaining": 76,
            "latest_legal_exit": D("2023-04-26"),
            "overstay.excess_in_window": 0,
        },
    ),
    (
        # The ministry's example: left on 2023-01-20 after 90 per-entry days (2022-10-23..
        # 2023-01-20 = 9+30+31+20 = 90, legal), back on the 27th: a fresh 90 days. On 04-26,
        # 01-27..04-26 = 5+28+31+26 = 90 (the window [2022-10-29, 04-26] holds 84 days of the
        # first stay, which do not count); 04-27 is the first overstay day: one day, a warning.
        "kaz-entered-01-27-overstay-first-day",
        "KAZ",
        "RUS",
        ["2022-10-23..2023-01-20", "2023-01-27.."],
        [],
        [],
        BOOK,
        "2023-04-27",
        {
            "window.start": D("2022-10-30"),
            "days_used": 91,
            "days_remaining": -1,
            "overstay.excess_in_window": 1,
            "overstay.periods": (Period(D("2023-04-27"), D("2023-04-27"), 1),),
            "overstay.penalty_band.code": "warning",
            "latest_legal_exit": None,
        },
    ),
    (
        # Configurable effective date: with 26 January, an entry on 2023-01-26 is judged
        # 90/180, counting from 26 January: Jan 26..Feb 8 (6+8=14) on 2023-02-08, 76 left.
        "kaz-effective-26-jan",
        "KAZ",
        "RUS",
        ["2022-10-01..2022-12-15", "2023-01-26.."],
        [],
        [],
        BOOK_26,
        "2023-02-08",
        {
            "rule.id": "KAZ-EAEU-90-180",
            "days_used": 14,
            "days_remaining": 76,
            "latest_legal_exit": D("2023-04-25"),
        },
    ),
    (
        # The same history under the default (27 January): 01-26 is still per-entry, 14 days.
        "kaz-effective-27-jan-default",
        "KAZ",
        "RUS",
        ["2022-10-01..2022-12-15", "2023-01-26.."],
        [],
        [],
        BOOK,
        "2023-02-08",
        {"rule.id": "KAZ-EAEU-PER-ENTRY", "days_used": 14, "days_remaining": 76},
    ),
    (
        # A stay entered 2023-01-20 that lasted its 90 per-entry days (to 04-19) counts in the
        # later 90/180 look-back from 27 January on: on 2023-04-25 (absent) the window
        # [2022-10-28, 2023-04-25] holds 01-27..04-19 = 5+28+31+19 = 83 counted days (the 7 of
        # 01-20..01-26 do not count). So an entry on 04-25 is allowed (84), for 7 days: 04-25 +
        # 6 = 05-01 makes 90; nothing rolls out before 07-26 (01-27 + 180).
        "kaz-old-stay-counts-after-change",
        "KAZ",
        "RUS",
        ["2023-01-20..2023-04-19"],
        [],
        [],
        BOOK,
        "2023-04-25",
        {
            "rule.id": "KAZ-EAEU-90-180",
            "present": False,
            "days_used": 83,
            "days_remaining": 7,
            "overstay.periods": (),
            "next_entry.earliest": D("2023-04-25"),
            "next_entry.max_stay_days": 7,
            "next_entry.latest_exit": D("2023-05-01"),
        },
    ),
    # ---- KAZ-VISA-FREE-30: per_entry 30 AND rolling 90/180 ---------------------------------
    (
        # Entered 2023-03-01, 20 days on 03-20: per-entry 20 (10 left) binds, rolling 20 (70
        # left). Last legal day: 03-01 + 29 = 03-30.
        "kaz-visa-free-per-entry-binds",
        "KAZ",
        "USA",
        ["2023-03-01.."],
        [],
        [],
        BOOK,
        "2023-03-20",
        {
            "rule.id": "KAZ-VISA-FREE-30",
            "rule.kind": "per_entry",
            "days_used": 20,
            "days_remaining": 10,
            "latest_legal_exit": D("2023-03-30"),
            "limits.0.kind": "per_entry",
            "limits.0.days_used": 20,
            "limits.1.kind": "rolling_window",
            "limits.1.days_used": 20,
            "limits.1.days_remaining": 70,
        },
    ),
    (
        # 30 (02-01..03-02) + 30 (03-10..04-08) + 10 (04-12..04-21) + 04-25..05-05 (6+5=11)
        # = 81 in [2022-11-07, 2023-05-05]: rolling leaves 9, per-entry (11 days) leaves 19.
        # Nothing rolls out before August, so the 90th day is 05-05 + 9 = 05-14 (per-entry
        # would allow 04-25 + 29 = 05-24): latest legal exit 2023-05-14.
        "kaz-visa-free-rolling-binds",
        "KAZ",
        "USA",
        [
            "2023-02-01..2023-03-02",
            "2023-03-10..2023-04-08",
            "2023-04-12..2023-04-21",
            "2023-04-25..",
        ],
        [],
        [],
        BOOK,
        "2023-05-05",
        {
            "rule.kind": "rolling_window",
            "days_used": 81,
            "days_remaining": 9,
            "window.start": D("2022-11-07"),
            "limits.0.days_used": 11,
            "limits.0.days_remaining": 19,
            "latest_legal_exit": D("2023-05-14"),
        },
    ),
    (
        # 30 days entered 2023-03-01: day 31 (03-31) breaks per-entry though rolling is fine.
        "kaz-visa-free-day-31-overstays",
        "KAZ",
        "USA",
        ["2023-03-01.."],
        [],
        [],
        BOOK,
        "2023-04-01",
        {
            "days_used": 32,
            "days_remaining": -2,
            "overstay.periods": (Period(D("2023-03-31"), D("2023-04-01"), 2),),
            "overstay.penalty_band.code": "warning",
        },
    ),
    (
        # Days before the first version count later: 2023-01-01..01-26 (26 days, no rule then,
        # by_entry_date) then entered 02-01; on 02-20 per-entry 20 (10 left), rolling 26+20 =
        # 46 (44 left).
        "kaz-visa-free-days-before-first-version-count",
        "KAZ",
        "USA",
        ["2023-01-01..2023-01-26", "2023-02-01.."],
        [],
        [],
        BOOK,
        "2023-02-20",
        {"days_used": 20, "limits.1.days_used": 46, "limits.1.days_remaining": 44},
    ),
    (
        # A stay entered 2023-01-01, before any version for USA in KAZ (by_entry_date): no rule
        # governs it on 2023-02-10; the answer says so instead of guessing.
        "kaz-visa-free-stay-entered-before-any-version",
        "KAZ",
        "USA",
        ["2023-01-01.."],
        [],
        [],
        BOOK,
        "2023-01-20",
        {"rule": None, "days_used": None, "latest_legal_exit": None, "anomaly_kinds": ["no_rule"]},
    ),
    # ---- Kyrgyzstan: unlimited for RUS, then 90/180 by_day from 2024-09-05 -----------------
    (
        # Under KGZ-RUS-UNLIMITED: window, days used and remaining are null. Stay entered
        # 2024-08-01: from 2024-09-05 every day is judged 90/180 (by_day); 08-01..09-05 is 36
        # days, the 90th day is 08-01 + 89 = 2024-10-29. A later by_day version ends the stay,
        # so latest_legal_exit is that day (domain.md §9 "takes future rule versions into
        # account" read as overriding "unlimited: latest_legal_exit null", which then holds
        # only when no later version caps the stay; see the next case).
        "kgz-unlimited-ended-by-later-by-day-version",
        "KGZ",
        "RUS",
        ["2024-08-01.."],
        [],
        [],
        BOOK,
        "2024-08-15",
        {
            "rule.id": "KGZ-RUS-UNLIMITED",
            "rule.kind": "unlimited",
            "window": None,
            "days_used": None,
            "days_remaining": None,
            "overstay.excess_in_window": None,
            "latest_legal_exit": D("2024-10-29"),
        },
    ),
    (
        # Entered 2024-03-01 and still there on 2024-09-10: window [2024-03-15, 2024-09-10] is
        # full (180 days). The first day judged 90/180 (by_day) is 09-05, already > 90: the
        # overstay runs 09-05..09-10 = 6 days; excess 180 - 90 = 90. No KAZ penalty band.
        "kgz-by-day-judges-old-stay-from-effective-date",
        "KGZ",
        "RUS",
        ["2024-03-01.."],
        [],
        [],
        BOOK,
        "2024-09-10",
        {
            "rule.id": "KGZ-EAEU-90-180",
            "window.start": D("2024-03-15"),
            "days_used": 180,
            "overstay.excess_in_window": 90,
            "overstay.periods": (Period(D("2024-09-05"), D("2024-09-10"), 6),),
            "overstay.penalty_band": None,
            "latest_legal_exit": None,
        },
    ),
    (
        # Before the change, with a long open stay (entered 2023-06-01): when 09-05 arrives the
        # window is already full, so the stay must end on 2024-09-04.
        "kgz-unlimited-long-stay-must-end-before-change",
        "KGZ",
        "RUS",
        ["2023-06-01.."],
        [],
        [],
        BOOK,
        "2024-06-01",
        {"days_used": None, "latest_legal_exit": D("2024-09-04")},
    ),
    # ---- KGZ-KAZ-BLOCK: fixed blocks of 180 days from the first entry ----------------------
    (
        # Block 1 starts 2025-10-01 (first presence after 2025-09-01) and ends 10-01 + 179 =
        # 2026-03-29. 60 days (10-01..11-29) + 2026-01-10..01-30 (21) = 81; 9 left; the 90th
        # day is 01-30 + 9 = 2026-02-08.
        "kgz-kaz-block-counts-in-block",
        "KGZ",
        "KAZ",
        ["2025-10-01..2025-11-29", "2026-01-10.."],
        [],
        [],
        BOOK,
        "2026-01-30",
        {
            "rule.id": "KGZ-KAZ-BLOCK",
            "rule.kind": "fixed_block",
            "window.start": D("2025-10-01"),
            "window.end": D("2026-03-29"),
            "days_used": 81,
            "days_remaining": 9,
            "latest_legal_exit": D("2026-02-08"),
        },
    ),
    (
        # Block 1 [2025-12-01, 2026-05-29] held 90 days (12-01..02-28). Entering 2026-05-30
        # opens block 2 [05-30, 11-25] with a fresh 90: 12 days on 06-10, 78 left, to 05-30 +
        # 89 = 2026-08-27. (A rolling 90/180 would say 78 + 12 = 90 in [2025-12-13, 06-10].)
        "kgz-kaz-block-new-block-fresh-count",
        "KGZ",
        "KAZ",
        ["2025-12-01..2026-02-28", "2026-05-30.."],
        [],
        [],
        BOOK,
        "2026-06-10",
        {
            "window.start": D("2026-05-30"),
            "window.end": D("2026-11-25"),
            "days_used": 12,
            "days_remaining": 78,
            "latest_legal_exit": D("2026-08-27"),
        },
    ),
    (
        # KAZ nationals in KGZ before 2025-09-01 are under KGZ-EAEU-90-180 (until 2025-08-31).
        "kgz-kaz-before-block-is-rolling",
        "KGZ",
        "KAZ",
        ["2025-06-01.."],
        [],
        [],
        BOOK,
        "2025-06-10",
        {"rule.id": "KGZ-EAEU-90-180", "days_used": 10, "days_remaining": 80},
    ),
    # ---- SCHENGEN, leap years, same-day crossings -----------------------------------------
    (
        # 2024-02-01..02-29 is 29 days (leap year). Window of 2024-07-29 is [2024-02-01,
        # 07-29]: all 29 days.
        "schengen-leap-window-keeps-29-feb",
        "SCHENGEN",
        "USA",
        ["2024-02-01..2024-02-29"],
        [],
        [],
        BOOK,
        "2024-07-29",
        {"window.start": D("2024-02-01"), "days_used": 29, "days_remaining": 61},
    ),
    (
        # One day later the window starts 2024-02-02: 28 days.
        "schengen-leap-window-rolls-one-day",
        "SCHENGEN",
        "USA",
        ["2024-02-01..2024-02-29"],
        [],
        [],
        BOOK,
        "2024-07-30",
        {"window.start": D("2024-02-02"), "days_used": 28},
    ),
    (
        # Same-day entry and exit is 1 day; an exit on as_of counts but present is false.
        "schengen-same-day-entry-exit",
        "SCHENGEN",
        "USA",
        ["2024-05-10..2024-05-10"],
        [],
        [],
        BOOK,
        "2024-05-10",
        {"days_used": 1, "present": False, "current_stay": None, "latest_legal_exit": None},
    ),
    (
        # Exit 2024-05-10 and re-entry the same date: 05-01..05-20 is 20 days (05-10 once).
        # current_stay starts at the re-entry: 05-10..05-20 = 11 days.
        "schengen-exit-reentry-same-date-counted-once",
        "SCHENGEN",
        "USA",
        ["2024-05-01..2024-05-10", "2024-05-10.."],
        [],
        [],
        BOOK,
        "2024-05-20",
        {
            "days_used": 20,
            "present": True,
            "current_stay.entered_on": D("2024-05-10"),
            "current_stay.days": 11,
        },
    ),
    (
        # Per-entry resets on a same-date exit and re-entry (2022, per-entry): first stay
        # 03-01..05-29 is exactly 90 days (legal); the new stay 05-29..06-10 = 3+10 = 13 days;
        # 77 left, to 05-29 + 89 = 2022-08-26.
        "kaz-per-entry-resets-on-same-date-reentry",
        "KAZ",
        "RUS",
        ["2022-03-01..2022-05-29", "2022-05-29.."],
        [],
        [],
        BOOK,
        "2022-06-10",
        {
            "rule.id": "KAZ-EAEU-PER-ENTRY",
            "days_used": 13,
            "days_remaining": 77,
            "window.start": D("2022-05-29"),
            "current_stay.days": 13,
            "overstay.periods": (),
            "latest_legal_exit": D("2022-08-26"),
        },
    ),
    (
        # Per-entry when absent: days_used is 0 and there is no window.
        "kaz-per-entry-absent-zero",
        "KAZ",
        "RUS",
        ["2022-03-01..2022-03-10"],
        [],
        [],
        BOOK,
        "2022-04-01",
        {"days_used": 0, "days_remaining": 90, "window": None, "present": False},
    ),
    (
        # An exit on as_of still counts that day (§9), and the stay that ended that day is the
        # one judged: entered 2023-01-20, left 03-01, it is per-entry (41 days, 49 left, no
        # excess) -- not 76 + 41 = 117 under 90/180, which would report an excess of 27 with
        # no overstay period. Reading chosen: "days_used is 0 when absent" means absent on the
        # whole of as_of; on the exit day the traveler was in the country.
        "kaz-exit-day-judged-by-its-stays-version",
        "KAZ",
        "RUS",
        ["2022-10-01..2022-12-15", "2023-01-20..2023-03-01"],
        [],
        [],
        BOOK,
        "2023-03-01",
        {
            "present": False,
            "rule.id": "KAZ-EAEU-PER-ENTRY",
            "window.start": D("2023-01-20"),
            "days_used": 41,
            "days_remaining": 49,
            "overstay.excess_in_window": 0,
            "overstay.periods": (),
        },
    ),
    (
        # The day after, absent: the version in force (90/180) over the window [2022-09-04,
        # 2023-03-02], counting the days from 01-27 only: 01-27..03-01 = 5+28+1 = 34 (under
        # all_presence it would be 76 + 41 = 117, an excess of 27 for a legal history).
        "kaz-day-after-exit-absent-under-new-version",
        "KAZ",
        "RUS",
        ["2022-10-01..2022-12-15", "2023-01-20..2023-03-01"],
        [],
        [],
        BOOK,
        "2023-03-02",
        {
            "rule.id": "KAZ-EAEU-90-180",
            "days_used": 34,
            "days_remaining": 56,
            "overstay.excess_in_window": 0,
        },
    ),
    (
        # Per-entry, exit on as_of: the stay 03-01..03-10 (10 days) is the window.
        "kaz-per-entry-exit-day-counts",
        "KAZ",
        "RUS",
        ["2022-03-01..2022-03-10"],
        [],
        [],
        BOOK,
        "2022-03-10",
        {"present": False, "days_used": 10, "days_remaining": 80, "window.start": D("2022-03-01")},
    ),
    (
        # Earlier breaches in the same stay do not block latest_legal_exit (§9). Entered
        # 2023-03-01: day 91 is 05-30, overstay 05-30..06-09 (11 days). Exempt 06-10..12-31, so
        # as_of 07-01 is not counted and breaks nothing; days_used in [2023-01-02, 07-01] is
        # 03-01..06-09 = 31+30+31+9 = 101. Continuing: from 2024-01-01 the window holds only new
        # days (the old ones end 06-09, out of [2023-07-05, 2024-01-01]); the 90th is
        # 2024-03-30 (31 + 29 + 30).
        "latest-exit-after-an-earlier-breach",
        "KAZ",
        "RUS",
        ["2023-03-01.."],
        [],
        [employment("2023-06-10", "2023-12-31")],
        BOOK,
        "2023-07-01",
        {
            "days_used": 101,
            "overstay.excess_in_window": 11,
            "overstay.periods": (Period(D("2023-05-30"), D("2023-06-09"), 11),),
            "overstay.penalty_band.code": "fine_and_expulsion",
            "latest_legal_exit": D("2024-03-30"),
        },
    ),
    # ---- imperfect records ------------------------------------------------------------------
    (
        # Two entries (03-01, 03-20) without an exit: presence continuous from 03-01, so on
        # 03-25 the window holds 03-01..03-25 = 25 days; anomaly exit_unknown.
        "missing-exit-two-entries",
        "KAZ",
        "RUS",
        [],
        [("entry", "2023-03-01"), ("entry", "2023-03-20")],
        [],
        BOOK,
        "2023-03-25",
        {
            "days_used": 25,
            "present": True,
            "anomaly_kinds": ["exit_unknown"],
            "anomalies.0.entered_on": D("2023-03-01"),
        },
    ),
    (
        # Per-entry with a missing exit: the second entry does not reset the count, because
        # presence is continuous from the first entry (one stay; domain.md §9). Day 91 after
        # 2022-01-01 is 04-01: overstay 04-01..04-05 = 5 days, band fine_10_mci.
        "missing-exit-per-entry-no-reset",
        "KAZ",
        "RUS",
        [],
        [("entry", "2022-01-01"), ("entry", "2022-03-15")],
        [],
        BOOK,
        "2022-04-05",
        {
            "days_used": 95,
            "overstay.periods": (Period(D("2022-04-01"), D("2022-04-05"), 5),),
            "overstay.penalty_band.code": "fine_10_mci",
        },
    ),
    (
        # An exit with no open stay: only the exit day counts; anomaly entry_unknown.
        "missing-entry-only-exit-day",
        "SCHENGEN",
        "USA",
        [],
        [("exit", "2024-05-10")],
        [],
        BOOK,
        "2024-05-20",
        {
            "days_used": 1,
            "present": False,
            "anomaly_kinds": ["entry_unknown"],
            "anomalies.0.exited_on": D("2024-05-10"),
        },
    ),
    (
        # A closed stay 05-01..05-05 (5 days) then a stray exit on 05-10 (1 day): 6.
        "missing-entry-after-closed-stay",
        "SCHENGEN",
        "USA",
        ["2024-05-01..2024-05-05"],
        [("exit", "2024-05-10")],
        [],
        BOOK,
        "2024-05-20",
        {"days_used": 6, "anomaly_kinds": ["entry_unknown"]},
    ),
    (
        # A second entry on 05-20 (no exit between) is not known on 05-10: no exit_unknown yet;
        # 05-01..05-10 = 10 days.
        "anomaly-from-a-later-entry-not-known-yet",
        "SCHENGEN",
        "USA",
        [],
        [("entry", "2024-05-01"), ("entry", "2024-05-20")],
        [],
        BOOK,
        "2024-05-10",
        {"anomaly_kinds": [], "days_used": 10, "present": True},
    ),
    (
        # Known on 05-25: exit_unknown names the first entry and the entry that revealed it.
        "anomaly-from-a-later-entry-once-known",
        "SCHENGEN",
        "USA",
        [],
        [("entry", "2024-05-01"), ("entry", "2024-05-20")],
        [],
        BOOK,
        "2024-05-25",
        {
            "anomaly_kinds": ["exit_unknown"],
            "anomalies.0.entered_on": D("2024-05-01"),
            "anomalies.0.next_entered_on": D("2024-05-20"),
            "days_used": 25,
        },
    ),
    (
        # A stray exit on 05-20 is not known on 05-10: no entry_unknown; 05-01..05-05 = 5.
        "stray-exit-after-as-of-not-known-yet",
        "SCHENGEN",
        "USA",
        ["2024-05-01..2024-05-05"],
        [("exit", "2024-05-20")],
        [],
        BOOK,
        "2024-05-10",
        {"anomaly_kinds": [], "days_used": 5},
    ),
    (
        # Crossings after as_of are ignored: the exit on 05-30 is not yet known on 05-20.
        "crossings-after-as-of-ignored",
        "SCHENGEN",
        "USA",
        ["2024-05-01..2024-05-30"],
        [],
        [],
        BOOK,
        "2024-05-20",
        {"present": True, "days_used": 20, "current_stay.days": 20},
    ),
    # ---- no rule --------------------------------------------------------------------------
    (
        "no-rule-for-nationality",
        "SCHENGEN",
        "CHN",
        ["2024-05-01.."],
        [],
        [],
        BOOK,
        "2024-05-20",
        {
            "rule": None,
            "window": None,
            "days_used": None,
            "days_remaining": None,
            "latest_legal_exit": None,
            "next_entry": None,
            "overstay.excess_in_window": None,
            "anomaly_kinds": ["no_rule"],
            "present": True,
        },
    ),
    # ---- exemptions -------------------------------------------------------------------------
    (
        # Exempt 03-10..06-30 (valid_until reached, no grace): counted 03-01..03-09 (9) +
        # 07-01..07-10 (10) = 19.
        "exemption-days-not-counted",
        "KAZ",
        "RUS",
        ["2023-03-01.."],
        [],
        [employment("2023-03-10", "2023-06-30")],
        BOOK,
        "2023-07-10",
        {"days_used": 19, "days_remaining": 71},
    ),
    (
        # Art. 97(5): ended early on 06-15, 106 days after the 03-01 entry (> 90), present:
        # grace 06-16..06-30 not counted. Counted 9 + 07-01..07-10 (10) = 19 (34 without).
        "exemption-grace-after-90-days",
        "KAZ",
        "RUS",
        ["2023-03-01.."],
        [],
        [employment("2023-03-10", "2024-03-09", ended_on="2023-06-15")],
        BOOK,
        "2023-07-10",
        {"days_used": 19},
    ),
    (
        # Ended on 05-30, exactly 90 days after the 03-01 entry: not more than 90, no grace.
        # Counted 9 + 05-31..06-10 (1+10 = 11) = 20.
        "exemption-no-grace-at-90-days",
        "KAZ",
        "RUS",
        ["2023-03-01.."],
        [],
        [employment("2023-03-10", "2024-03-09", ended_on="2023-05-30")],
        BOOK,
        "2023-06-10",
        {"days_used": 20},
    ),
    (
        # Ended on 05-31, 91 days after entry: grace 06-01..06-15, so 06-10 counts nothing new:
        # 9 days.
        "exemption-grace-at-91-days",
        "KAZ",
        "RUS",
        ["2023-03-01.."],
        [],
        [employment("2023-03-10", "2024-03-09", ended_on="2023-05-31")],
        BOOK,
        "2023-06-10",
        {"days_used": 9},
    ),
    (
        # Reaching valid_until (ended_on = valid_until = 06-15) is no early end: no grace.
        # Counted 9 + 06-16..07-10 (15+10 = 25) = 34.
        "exemption-valid-until-reached-no-grace",
        "KAZ",
        "RUS",
        ["2023-03-01.."],
        [],
        [employment("2023-03-10", "2023-06-15", ended_on="2023-06-15")],
        BOOK,
        "2023-07-10",
        {"days_used": 34},
    ),
    (
        # Not present on ended_on (left 06-10, ended 06-15, back 06-20): no grace. Counted
        # 9 + 06-20..06-25 (6) = 15.
        "exemption-no-grace-when-absent-on-end",
        "KAZ",
        "RUS",
        ["2023-03-01..2023-06-10", "2023-06-20.."],
        [],
        [employment("2023-03-10", "2024-03-09", ended_on="2023-06-15")],
        BOOK,
        "2023-06-25",
        {"days_used": 15},
    ),
    (
        # An exemption of another jurisdiction does not exempt KAZ days: 03-01..03-20 = 20.
        "exemption-other-jurisdiction-ignored",
        "KAZ",
        "RUS",
        ["2023-03-01.."],
        [],
        [employment("2023-03-01", "2023-12-31", jur="KGZ")],
        BOOK,
        "2023-03-20",
        {"days_used": 20},
    ),
    # ---- look-back policies (KAZ-EAEU-90-180 ships days_since_effective; others via with_policy)
    # Stay 2022-12-01..2023-02-05 (67 days, per-entry: legal), then 2023-02-10 open. On
    # 2023-03-10 the window [2022-09-12, 2023-03-10] holds all of it; new stay 02-10..03-10 =
    # 19 + 10 = 29 days.
    (
        # all_presence: 67 + 29 = 96.
        "lookback-all-presence",
        "KAZ",
        "RUS",
        ["2022-12-01..2023-02-05", "2023-02-10.."],
        [],
        [],
        with_policy(BOOK, "KAZ-EAEU-90-180", lookback=ALL_PRESENCE),
        "2023-03-10",
        {"days_used": 96, "days_remaining": -6, "rule.version.lookback": "all_presence"},
    ),
    (
        # stays_entered_since_effective: only the stay entered 02-10 counts: 29.
        "lookback-stays-entered-since-effective",
        "KAZ",
        "RUS",
        ["2022-12-01..2023-02-05", "2023-02-10.."],
        [],
        [],
        with_policy(BOOK, "KAZ-EAEU-90-180", lookback=STAYS_ENTERED_SINCE_EFFECTIVE),
        "2023-03-10",
        {"days_used": 29, "rule.version.lookback": "stays_entered_since_effective"},
    ),
    (
        # days_since_effective (the shipped policy): 01-27..02-05 (5+5 = 10) of the old stay
        # + 29 = 39.
        "lookback-days-since-effective",
        "KAZ",
        "RUS",
        ["2022-12-01..2023-02-05", "2023-02-10.."],
        [],
        [],
        BOOK,
        "2023-03-10",
        {"days_used": 39, "days_remaining": 51, "rule.version.lookback": "days_since_effective"},
    ),
    # ---- next_entry semantics (§9) ----------------------------------------------------------
    (
        # Absent on as_of (left 05-10): the search starts on as_of itself. 10 days used, so 80
        # more: 05-20 + 79 = 2024-08-07 (window [02-10, 08-07] still holds 05-01).
        "next-entry-from-as-of-when-absent",
        "SCHENGEN",
        "USA",
        ["2024-05-01..2024-05-10"],
        [],
        [],
        BOOK,
        "2024-05-20",
        {
            "next_entry.earliest": D("2024-05-20"),
            "next_entry.max_stay_days": 80,
            "next_entry.latest_exit": D("2024-08-07"),
        },
    ),
    (
        # Exit on as_of: the traveler was in the country that day, so the search starts on
        # 05-11; 80 days to 05-11 + 79 = 2024-07-29.
        "next-entry-after-exit-day",
        "SCHENGEN",
        "USA",
        ["2024-05-01..2024-05-10"],
        [],
        [],
        BOOK,
        "2024-05-10",
        {"next_entry.earliest": D("2024-05-11"), "next_entry.max_stay_days": 80},
    ),
    (
        # Present: from the day after as_of.
        "next-entry-day-after-when-present",
        "SCHENGEN",
        "USA",
        ["2024-05-01.."],
        [],
        [],
        BOOK,
        "2024-05-10",
        {"next_entry.earliest": D("2024-05-11")},
    ),
]


@pytest.mark.parametrize(
    "jur,nat,stays,events,exemptions,book,as_of,expect",
    [c[1:] for c in STATUS_CASES],
    ids=[c[0] for c in STATUS_CASES],
)
def test_status(jur, nat, stays, events, exemptions, book, as_of, expect):
    doc = engine(jur, nat, stays, events, exemptions, book).status(D(as_of))
    check(doc, expect)


# -- unlimited with no later version, penalty bands ---------------------------------------


def test_unlimited_forever_has_no_latest_exit():
    """An unlimited version that never ends: every computed count and the exit are null."""
    unlimited = replace(BOOK.get("KGZ-RUS-UNLIMITED"), effective_until=None)
    book = Rulebook((unlimited,))
    doc = engine("KGZ", "RUS", ["2023-06-01.."], book=book).status(D("2024-12-01"))
    check(
        doc,
        {
            "rule.id": "KGZ-RUS-UNLIMITED",
            "present": True,
            "window": None,
            "days_used": None,
            "days_remaining": None,
            "latest_legal_exit": None,
            "overstay.periods": (),
        },
    )


# Per-entry 2022, entered 01-01: day 90 is 03-31, so as_of 03-31 + k has k overstay days.
@pytest.mark.parametrize(
    "as_of,days,code",
    [
        ("2022-04-03", 3, "warning"),
        ("2022-04-04", 4, "fine_10_mci"),
        ("2022-04-05", 5, "fine_10_mci"),
        ("2022-04-06", 6, "fine_higher"),
        ("2022-04-10", 10, "fine_higher"),
        ("2022-04-11", 11, "fine_and_expulsion"),
    ],
)
def test_penalty_band(as_of, days, code):
    doc = engine("KAZ", "RUS", ["2022-01-01.."]).status(D(as_of))
    assert doc.overstay.periods == (Period(D("2022-04-01"), D(as_of), days),)
    assert doc.overstay.penalty_band.code == code
    assert "517" in doc.overstay.penalty_band.article


def test_penalty_band_from_latest_period():
    """Two per-entry overstays: 2022-01-01..04-10 (10 days over: 04-01..04-10) and
    2022-05-01..08-01 (day 91 = 07-30: 07-30..08-01 = 3 days). The band follows the latest: a
    warning, though the older period alone would give fine_higher."""
    doc = engine("KAZ", "RUS", ["2022-01-01..2022-04-10", "2022-05-01..2022-08-01"]).status(
        D("2022-08-20")
    )
    assert [p.days for p in doc.overstay.periods] == [10, 3]
    assert doc.overstay.periods[1].first == D("2022-07-30")
    assert doc.overstay.penalty_band.code == "warning"


def test_no_penalty_band_outside_kazakhstan():
    """S05-like Schengen overstay: periods but no Kazakh band."""
    doc = engine("SCHENGEN", "USA", ["2024-01-01.."]).status(D("2024-04-05"))
    # 2024-01-01 + 90 = 03-31 is day 91: 03-31..04-05 = 6 days.
    assert doc.overstay.periods == (Period(D("2024-03-31"), D("2024-04-05"), 6),)
    assert doc.overstay.penalty_band is None


# -- plan -------------------------------------------------------------------------------------


def test_plan_with_planned_stay_before():
    """Planned 2024-03-01..04-29 (31+29 = 60 days). Entry on 06-01 (window [2023-12-05,
    06-01]): 60 used, 30 left; 90th day 06-01 + 29 = 06-30 (window [2024-01-03, 06-30] still
    holds 03-01)."""
    doc = engine("SCHENGEN", "USA").plan(D("2024-06-01"), [(D("2024-03-01"), D("2024-04-29"))])
    check(
        doc,
        {
            "allowed": True,
            "days_used": 60,
            "days_remaining": 30,
            "max_stay_days": 30,
            "latest_exit": D("2024-06-30"),
            "earliest_entry": D("2024-06-01"),
        },
    )


def test_plan_keeps_later_planned_stay_legal():
    """Planned 2024-08-01..08-30 (30 days) after an entry on 06-01: on 08-30 the window
    [2024-03-04, 08-30] holds the new stay and the 30 planned days, so the new stay may last
    60 days: 06-01..07-30."""
    doc = engine("SCHENGEN", "USA").plan(D("2024-06-01"), [(D("2024-08-01"), D("2024-08-30"))])
    check(
        doc, {"allowed": True, "days_used": 0, "max_stay_days": 60, "latest_exit": D("2024-07-30")}
    )


def test_plan_refused_gives_earliest_entry():
    """Recorded 2024-01-01..03-30 (31+29+30 = 90). Entry 05-01: window [2023-11-04, 05-01]
    already holds 90, not allowed. Earliest X: at most 89 days in [X-179, X-1], so X-179 >=
    01-02, X = 2024-06-29; then one old day rolls out per new day: 90 days."""
    doc = engine("SCHENGEN", "USA", ["2024-01-01..2024-03-30"]).plan(D("2024-05-01"))
    check(
        doc,
        {
            "allowed": False,
            "days_used": 90,
            "days_remaining": 0,
            "max_stay_days": 0,
            "latest_exit": None,
            "earliest_entry": D("2024-06-29"),
            "earliest_entry_max_stay_days": 90,
        },
    )


def test_plan_while_present_continues_the_stay():
    """Present since 2024-05-01 (open): a plan for 05-10 continues the stay: 9 days before
    05-10, and the stay may last to 05-01 + 89 = 07-29, i.e. 22+30+29 = 81 days from 05-10."""
    doc = engine("SCHENGEN", "USA", ["2024-05-01.."]).plan(D("2024-05-10"))
    check(
        doc,
        {
            "allowed": True,
            "days_used": 9,
            "days_remaining": 81,
            "max_stay_days": 81,
            "latest_exit": D("2024-07-29"),
        },
    )


def test_plan_per_entry_version():
    """2022 per-entry for RUS in KAZ: a new entry on 2022-06-01 after a 90-day stay gets a fresh
    90 days: 06-01 + 89 = 08-29."""
    doc = engine("KAZ", "RUS", ["2022-03-01..2022-05-29"]).plan(D("2022-06-01"))
    check(
        doc,
        {
            "allowed": True,
            "max_stay_days": 90,
            "latest_exit": D("2022-08-29"),
            "rule.id": "KAZ-EAEU-PER-ENTRY",
        },
    )


def test_plan_no_rule():
    doc = engine("SCHENGEN", "CHN").plan(D("2024-06-01"))
    assert doc.rule is None and doc.max_stay_days is None
    assert [a.kind for a in doc.anomalies] == ["no_rule"]


# -- late and corrected records through the aggregate -----------------------------------------

OFFICER = RecordedBy("officer", "KZ-ALA")
T0 = datetime(2023, 8, 1, 12, 0, tzinfo=UTC)


def _traveler() -> Traveler:
    from uuid import uuid4

    return Traveler.register(uuid4(), "RUS", "passport", "N1", OFFICER, T0)


def _at(day: str, hour: int) -> datetime:
    return datetime.combine(D(day), time(hour), UTC)


def _status(t: Traveler, as_of: str, known_at: datetime | None = None) -> dict:
    facts = Facts.from_crossings(
        "KAZ", "RUS", t.crossings_known_at(known_at), t.exemptions_known_at(known_at), D(as_of)
    )
    return Engine(BOOK, facts).status(D(as_of))


def test_late_record_is_ordered_by_instant():
    """Entry 03-01, then the exit 03-10 recorded after a later entry 04-01: the stays are
    03-01..03-10 and 04-01.., not two entries in a row. On 04-10: 10 + 10 = 20 days, no
    exit_unknown anomaly."""
    t = _traveler()
    post = POSTS.get("KZ-ALA")
    t.record_crossing("a", "entry", post, _at("2023-03-01", 4), OFFICER, T0)
    t.record_crossing("c", "entry", post, _at("2023-04-01", 4), OFFICER, T0)
    t.record_crossing("b", "exit", post, _at("2023-03-10", 10), OFFICER, T0)
    doc = _status(t, "2023-04-10")
    assert doc.days_used == 20
    assert doc.anomalies == ()
    assert doc.current_stay.entered_on == D("2023-04-01")


def test_corrected_record_changes_the_answer_and_keeps_the_old_one_known():
    """An exit typed as 03-30 (30 days) is corrected to 03-10 (10 days) at T0+1h. As known at
    T0 the status on 04-10 says 30; as known now, 10. The correction is an event."""
    t = _traveler()
    post = POSTS.get("KZ-ALA")
    t.record_crossing("a", "entry", post, _at("2023-03-01", 4), OFFICER, T0)
    t.record_crossing("b", "exit", post, _at("2023-03-30", 10), OFFICER, T0)
    later = T0 + timedelta(hours=1)
    t.correct_crossing("b", "typo", OFFICER, later, post, occurred_at=_at("2023-03-10", 10))
    assert _status(t, "2023-04-10", known_at=T0).days_used == 30
    assert _status(t, "2023-04-10").days_used == 10
    assert type(t.pending_events[-1]).__name__ == "CrossingCorrected"


def test_voided_record_no_longer_counts():
    """A stray exit (entry_unknown, 1 day) voided: nothing counts any more."""
    t = _traveler()
    post = POSTS.get("KZ-ALA")
    t.record_crossing("a", "exit", post, _at("2023-03-01", 10), OFFICER, T0)
    assert _status(t, "2023-03-05").days_used == 1
    t.void_crossing("a", "recorded on the wrong traveler", OFFICER, T0 + timedelta(minutes=5))
    doc = _status(t, "2023-03-05")
    assert doc.days_used == 0 and doc.anomalies == ()
    with pytest.raises(ValidationError):
        t.void_crossing("a", " ", OFFICER, T0)


# -- the rulebook that ships (domain.md §4) ---------------------------------------------------

SHIPPED = [
    # id, jurisdiction, a covered nationality, from, until, kinds, transition, lookback
    (
        "KAZ-EAEU-PER-ENTRY",
        "KAZ",
        "ARM",
        "2015-01-01",
        "2023-01-26",
        ["per_entry"],
        "by_entry_date",
        "all_presence",
    ),
    (
        "KAZ-EAEU-90-180",
        "KAZ",
        "BLR",
        "2023-01-27",
        None,
        ["rolling_window"],
        "by_entry_date",
        "days_since_effective",
    ),
    (
        "KAZ-VISA-FREE-30",
        "KAZ",
        "GBR",
        "2023-01-27",
        None,
        ["per_entry", "rolling_window"],
        "by_entry_date",
        "all_presence",
    ),
    ("KGZ-KAZ-BLOCK", "KGZ", "KAZ", "2025-09-01", None, ["fixed_block"], "by_day", "all_presence"),
    (
        "KGZ-RUS-UNLIMITED",
        "KGZ",
        "RUS",
        "2015-06-19",
        "2024-09-04",
        ["unlimited"],
        "by_day",
        "all_presence",
    ),
    (
        "KGZ-EAEU-90-180",
        "KGZ",
        "ARM",
        "2024-09-05",
        None,
        ["rolling_window"],
        "by_day",
        "all_presence",
    ),
    (
        "SCHENGEN-90-180",
        "SCHENGEN",
        "JPN",
        "2013-10-18",
        None,
        ["rolling_window"],
        "by_day",
        "all_presence",
    ),
]


@pytest.mark.parametrize(
    "vid,jur,nat,since,until,kinds,transition,lookback", SHIPPED, ids=[s[0] for s in SHIPPED]
)
def test_shipped_version(vid, jur, nat, since, until, kinds, transition, lookback):
    v = BOOK.get(vid)
    assert v.jurisdiction == jur and v.applies(nat)
    assert v.effective_from == D(since)
    assert v.effective_until == (D(until) if until else None)
    assert [lim.kind for lim in v.limits] == kinds
    assert v.transition == transition and v.lookback == lookback
    assert v.exempt_days_count_later is False and v.source
    assert vid in [x.id for x in BOOK.for_traveler(jur, nat)]


def test_kaz_nationals_leave_kgz_eaeu_version_on_2025_08_31():
    assert BOOK.get("KGZ-EAEU-90-180").until_for("KAZ") == D("2025-08-31")
    assert BOOK.get("KGZ-EAEU-90-180").until_for("RUS") is None


@pytest.mark.parametrize("nat", ["USA", "GBR", "CAN", "AUS", "JPN"])
def test_visa_free_lists_cover_at_least(nat):
    assert [v.id for v in BOOK.for_traveler("SCHENGEN", nat)] == ["SCHENGEN-90-180"]
    assert [v.id for v in BOOK.for_traveler("KAZ", nat)] == ["KAZ-VISA-FREE-30"]


def test_configurable_kazakh_date_moves_both_versions():
    assert BOOK_26.get("KAZ-EAEU-PER-ENTRY").effective_until == D("2023-01-25")
    assert BOOK_26.get("KAZ-EAEU-90-180").effective_from == D("2023-01-26")
    assert BOOK_26.digest != BOOK.digest


@pytest.mark.parametrize(
    ("jur", "nat", "stays", "as_of", "expected"),
    [
        # Entered under the per-entry rule, still there after 27 January 2023: both versions.
        ("KAZ", "RUS", ["2022-12-30.."], "2023-03-01", ["KAZ-EAEU-PER-ENTRY", "KAZ-EAEU-90-180"]),
        # A history that starts in 2023 was read under 90/180 only.
        ("KAZ", "RUS", ["2023-10-01.."], "2023-11-01", ["KAZ-EAEU-90-180"]),
        # Russians in Kyrgyzstan across 5 September 2024: unlimited, then 90/180.
        (
            "KGZ",
            "RUS",
            ["2024-08-01..2024-10-01"],
            "2024-12-01",
            ["KGZ-RUS-UNLIMITED", "KGZ-EAEU-90-180"],
        ),
        # No rule for a nationality: nothing was in force.
        ("KAZ", "CHN", ["2023-10-01.."], "2023-11-01", []),
    ],
)
def test_status_names_the_rule_versions_in_force_over_the_history(jur, nat, stays, as_of, expected):
    assert engine(jur, nat, stays).status(D(as_of)).rule_versions == tuple(expected)
