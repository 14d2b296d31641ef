"""The timeline page's bench figures: a goal in ms per page and its ratio to a long status."""

from __future__ import annotations

import pytest

from bench import report


def test_ui_timeline_has_a_goal_and_a_ratio_to_status_long():
    cases = {"ui_timeline": {"value": 60.0}, "status_long": {"value": 12.0}}
    ratios, goals, met = report.ratios(cases)
    assert ratios["ui_timeline"] == pytest.approx(60.0)
    assert goals["ui_timeline"] == {"op": "<", "goal": 200.0} and met["ui_timeline"] is True
    assert ratios["ui_timeline/status_long"] == pytest.approx(5.0)
    assert report.ratios({"ui_timeline": {"value": 250.0}})[2]["ui_timeline"] is False
    assert report.UNITS["ui_timeline"] == "ms/page" and report.UNITS["status_long"] == "ms/status"
