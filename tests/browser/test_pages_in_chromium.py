"""The pages in headless Chromium against the real server: hooks equal the API's answers.

Histories are the worked examples of shared/scenarios/examples.json (entries 04:00Z, exits
10:00Z) plus one that overstays, loaded through the API into a server that also holds a demo
ledger. Screenshots of every page, desktop and phone, are written (`make screenshots` puts them in
docs/screenshots/).
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
from conftest import SCREENSHOTS, start_server, stop_server
from scenarios import load_examples
from selenium.common.exceptions import NoAlertPresentException, WebDriverException
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.expected_conditions import staleness_of
from selenium.webdriver.support.wait import WebDriverWait

POST_OF = {"SCHENGEN": "FR-CDG", "KAZ": "KZ-ALA"}
XSS = "<script>alert(1)</script>"
# Rule-version boundaries the law sets (domain.md §4) for these nationalities.
BOUNDARIES = {("KAZ", "RUS"): [date(2023, 1, 27)], ("SCHENGEN", "USA"): [date(2013, 10, 18)]}
MARGIN = timedelta(days=14)  # the chart starts two weeks before the first entry
OVERSTAY = {
    "id": "OVER",
    "jurisdiction": "KAZ",
    "nationality": "RUS",
    "stays": [["2022-11-01", "2022-12-20"], ["2023-02-01", "2023-05-20"], ["2023-07-01", None]],
    "status_as_of": "2023-10-15",
}
CASES = [c for c in load_examples()["cases"] if c.get("stays")] + [OVERSTAY]


def _load(server, admin: str, case: dict) -> str:
    exemptions = case.get("exemptions", [])
    body = {"nationality": case["nationality"], "document_number": f"B{uuid.uuid4().hex[:12]}"}
    if case is OVERSTAY:
        body.update(surname=XSS, given_names="Ann", birth_date="1990-04-01")
    status, found = server.call("POST", "/api/v1/travelers", admin, body)
    assert status == 201, found
    traveler = found["traveler_id"]
    post = POST_OF[case["jurisdiction"]]
    for entry, exit_ in case["stays"]:
        legs = [("entry", f"{entry}T04:00:00Z")] + (
            [("exit", f"{exit_}T10:00:00Z")] if exit_ else []
        )
        for direction, at in legs:
            crossing = {
                "crossing_id": str(uuid.uuid4()),
                "direction": direction,
                "border_post": post,
                "occurred_at": at,
            }
            status, found = server.call(
                "POST", f"/api/v1/travelers/{traveler}/crossings", admin, crossing
            )
            assert status == 201, found
    for e in exemptions:
        grant = {
            "exemption_id": str(uuid.uuid4()),
            "jurisdiction": case["jurisdiction"],
            **{k: e[k] for k in ("kind", "valid_from", "valid_until", "contract_number")},
            "employer_id": e["employer_id"],
        }
        status, found = server.call(
            "POST", f"/api/v1/travelers/{traveler}/exemptions", admin, grant
        )
        assert status == 201, found
        if e.get("ended_on"):
            end = {"ended_on": e["ended_on"], "reason": "contract terminated"}
            path = f"/api/v1/travelers/{traveler}/exemptions/{grant['exemption_id']}/termination"
            status, found = server.call("POST", path, admin, end)
            assert status == 201, found
    return body["document_number"], traveler


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("browser")
    server = start_server(f"sqlite:///{workdir}/ledger.db", workdir, demo=40)
    try:
        admin = server.token("admin")
        for case in CASES:
            server.travelers[case["id"]] = _load(server, admin, case)
        yield server
    finally:
        stop_server(server)


def sign_in(browser, server, role: str, *extra: str) -> None:
    browser.delete_all_cookies()
    browser.get(server.base + "/ui/")
    if browser.find_elements(By.CSS_SELECTOR, '[data-action="sign-out"]'):
        submit(browser, '[data-action="sign-out"]')
    browser.find_element(By.ID, "token").send_keys(server.token(role, *extra))
    submit(browser)
    assert browser.find_elements(By.CSS_SELECTOR, '[data-action="sign-out"]'), browser.page_source


def submit(browser, css: str = "main form button[type=submit]") -> None:
    """Click and wait until the next page has replaced this one."""
    old = browser.find_element(By.TAG_NAME, "html")
    browser.find_element(By.CSS_SELECTOR, css).click()
    WebDriverWait(browser, 30).until(lambda _: _gone(old))


def _gone(element) -> bool:
    """Chromium answers a node of a replaced document with "does not belong to the document"
    as often as with a stale reference: both mean the page was replaced."""
    try:
        return staleness_of(element)(None)
    except WebDriverException as e:
        return "does not belong to the document" in str(e)


def field(browser, name: str) -> str:
    return browser.find_element(By.CSS_SELECTOR, f'[data-field="{name}"]').text


def screenshot(browser, name: str) -> None:
    """The page as a person sees it, at 1280 px and at a 390 px phone width."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for label, width in (("desktop", 1280), ("phone", 390)):
        browser.set_window_size(width, 900)
        height = browser.execute_script("return document.documentElement.scrollHeight")
        browser.set_window_size(width, min(max(height, 600), 2400))
        browser.save_screenshot(str(SCREENSHOTS / f"{name}-{label}.png"))
    browser.set_window_size(1280, 1000)


def check_timeline(browser, server, case: dict) -> None:
    """Every hook of the timeline equals the API's answer to the same query."""
    _, traveler = server.travelers[case["id"]]
    query = f"jurisdiction={case['jurisdiction']}&as_of={case['status_as_of']}"
    auditor = server.token("auditor")
    status, api = server.call("GET", f"/api/v1/travelers/{traveler}/status?{query}", auditor)
    assert status == 200, api
    browser.get(f"{server.base}/ui/travelers/{traveler}?{query}")
    assert len(browser.find_elements(By.CSS_SELECTOR, 'svg[data-chart="timeline"]')) == 1
    assert field(browser, "days_used") == str(api["days_used"])
    assert field(browser, "latest_legal_exit") == (api["latest_legal_exit"] or "—")
    marks = browser.find_elements(By.CSS_SELECTOR, "[data-overstay-period]")
    found = [(m.get_attribute("data-from"), m.get_attribute("data-to")) for m in marks]
    assert found == [(p["from"], p["to"]) for p in api["overstay"]["periods"]]
    first = date.fromisoformat(case["stays"][0][0]) - MARGIN
    as_of = date.fromisoformat(case["status_as_of"])
    expected = [
        d.isoformat()
        for d in BOUNDARIES.get((case["jurisdiction"], case["nationality"]), [])
        if first < d <= as_of
    ]
    changes = browser.find_elements(By.CSS_SELECTOR, "[data-rule-change]")
    assert [c.get_attribute("data-on") for c in changes] == expected


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_the_timeline_says_what_the_api_says(browser, server, case):
    sign_in(browser, server, "auditor")
    check_timeline(browser, server, case)


def test_the_overstay_history_is_marked_and_the_rule_change_shown(browser, server):
    sign_in(browser, server, "auditor")
    check_timeline(browser, server, OVERSTAY)
    assert len(browser.find_elements(By.CSS_SELECTOR, "[data-overstay-period]")) == 2
    assert len(browser.find_elements(By.CSS_SELECTOR, "[data-rule-change]")) == 1
    rows = browser.find_elements(By.CSS_SELECTOR, "[data-event-version]")
    assert len(rows) == 1 + 5  # registered, five crossings
    screenshot(browser, "timeline")


def test_find_goes_by_a_posted_document_to_the_timeline(browser, server):
    document, traveler = server.travelers["OVER"]
    sign_in(browser, server, "registrar", "--office", "KZ-ALA")
    browser.find_element(By.ID, "nationality").send_keys("RUS")
    browser.find_element(By.ID, "document_number").send_keys(document)
    screenshot(browser, "find")
    submit(browser)
    assert browser.current_url == f"{server.base}/ui/travelers/{traveler}?jurisdiction=KAZ"
    assert document not in browser.current_url
    assert field(browser, "days_used")
    assert not browser.find_elements(By.CSS_SELECTOR, "[data-event-version]")  # auditors only


def test_a_name_with_markup_is_text_and_runs_nothing(browser, server):
    _, traveler = server.travelers["OVER"]
    sign_in(browser, server, "auditor")
    browser.get(f"{server.base}/ui/travelers/{traveler}?jurisdiction=KAZ&as_of=2023-10-15")
    with pytest.raises(NoAlertPresentException):
        browser.switch_to.alert.text  # noqa: B018
    assert XSS in field(browser, "name")


def test_keyboard_focus_reaches_a_day_and_reads_its_count_and_rule(browser, server):
    _, traveler = server.travelers["OVER"]
    sign_in(browser, server, "auditor")
    browser.get(f"{server.base}/ui/travelers/{traveler}?jurisdiction=KAZ&as_of=2023-10-15")
    for _ in range(40):  # from the top of the page, as a keyboard user starts
        ActionChains(browser).send_keys(Keys.TAB).perform()
        if browser.switch_to.active_element.get_attribute("data-day"):
            break
    day = browser.switch_to.active_element
    assert day.get_attribute("data-day") == "2022-11-01"  # the first stay's entry
    detail = browser.find_element(By.ID, "day-detail").text
    assert detail == "2022-11-01: in the country; 1 of 90 days used (KAZ-EAEU-PER-ENTRY)"
    day.send_keys(Keys.ARROW_RIGHT)
    assert browser.switch_to.active_element.get_attribute("data-day") == "2022-11-02"
    assert browser.find_element(By.ID, "day-detail").text.startswith(
        "2022-11-02: in the country; 2 of 90"
    )


def test_sign_in_and_sign_out(browser, server):
    browser.delete_all_cookies()
    browser.get(server.base + "/ui/")
    screenshot(browser, "signin")
    sign_in(browser, server, "auditor")
    assert browser.current_url == server.base + "/ui/travelers"
    submit(browser, '[data-action="sign-out"]')
    assert browser.find_elements(By.ID, "token")
    browser.get(server.base + "/ui/overstays")
    assert browser.find_elements(By.ID, "token")  # back to sign-in, nothing shown


def test_a_post_without_its_csrf_token_is_refused(browser, server):
    sign_in(browser, server, "auditor")
    browser.execute_script(
        "document.querySelectorAll('input[name=csrf_token]').forEach(e => e.remove())"
    )
    submit(browser, '[data-action="sign-out"]')
    assert "400" in browser.find_element(By.TAG_NAME, "h1").text
    browser.get(server.base + "/ui/travelers")
    assert browser.find_elements(By.CSS_SELECTOR, '[data-action="sign-out"]')  # still signed in


def test_a_registrar_is_refused_the_overstayers(browser, server):
    sign_in(browser, server, "registrar", "--office", "KZ-ALA")
    browser.get(server.base + "/ui/overstays?jurisdiction=KAZ")
    assert browser.find_element(By.TAG_NAME, "h1").text.startswith("403")
    assert not browser.find_elements(By.CSS_SELECTOR, "[data-overstayer]")


def test_the_overstayers_link_to_their_timelines(browser, server):
    _, traveler = server.travelers["OVER"]
    sign_in(browser, server, "auditor")
    browser.get(server.base + "/ui/overstays?jurisdiction=KAZ&as_of=2023-10-15")
    row = browser.find_element(By.CSS_SELECTOR, f'[data-overstayer="{traveler}"]')
    assert browser.find_element(By.CSS_SELECTOR, '[data-action="csv"]').get_attribute("href")
    screenshot(browser, "overstays")
    old = browser.find_element(By.TAG_NAME, "html")
    row.find_element(By.TAG_NAME, "a").click()
    WebDriverWait(browser, 30).until(staleness_of(old))
    assert browser.current_url.startswith(f"{server.base}/ui/travelers/{traveler}?")
    assert browser.find_elements(By.CSS_SELECTOR, "[data-overstay-period]")


def test_an_employer_sees_nothing_but_the_verify_page(browser, server):
    worker = next(c for c in CASES if c.get("exemptions"))
    document, _ = server.travelers[worker["id"]]
    exemption = worker["exemptions"][0]
    sign_in(browser, server, "employer", "--employer", exemption["employer_id"])
    assert browser.current_url == server.base + "/ui/verify"
    links = browser.find_elements(By.CSS_SELECTOR, "nav a")
    assert [a.text for a in links] == ["Check an exemption"]
    for path in ("/ui/travelers", "/ui/overstays"):
        browser.get(server.base + path)
        assert browser.find_element(By.TAG_NAME, "h1").text.startswith("403")
    browser.get(server.base + "/ui/verify")
    browser.find_element(By.ID, "nationality").send_keys(worker["nationality"])
    browser.find_element(By.ID, "document_number").send_keys(document)
    browser.find_element(By.ID, "contract_number").send_keys(exemption["contract_number"])
    submit(browser)
    answer = browser.find_element(By.CSS_SELECTOR, '[data-field="status"]')
    assert answer.get_attribute("data-value") == "ended"  # ended early on 2023-09-30
    assert browser.find_element(By.CSS_SELECTOR, '[data-action="receipt"]').get_attribute("href")
    screenshot(browser, "verify")


def test_on_postgresql_the_timeline_says_what_the_api_says(browser, postgres_url, tmp_path):
    schema = f"browser_{uuid.uuid4().hex[:8]}"
    # One worker: gunicorn workers racing to create a fresh schema's tables fail to boot.
    pg = start_server(f"{postgres_url}?schema={schema}", tmp_path, 0, "--workers", "1")
    try:
        pg.travelers["OVER"] = _load(pg, pg.token("admin"), OVERSTAY)
        sign_in(browser, pg, "auditor")
        check_timeline(browser, pg, OVERSTAY)
        assert len(browser.find_elements(By.CSS_SELECTOR, "[data-overstay-period]")) == 2
    finally:
        stop_server(pg)
