"""Shared fixtures: personas for every test, and a real headless Chromium for browser tests."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from saferwork.lib.tests.s3 import s3_server, s3_storage  # noqa: F401 - shared fixtures
from saferwork.tests import factories

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# Property tests judge results, not speed: a busy 2-core CI machine must not fail them on a
# timing health check or a per-example deadline.
hypothesis_settings.register_profile(
    "saferwork", deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.differing_executors]
)
hypothesis_settings.load_profile("saferwork")  # Playwright's sync API runs an event loop

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parent.parent / "var" / "screenshots"
AXE_JS = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
IN_CI = os.environ.get("CI", "").lower() == "true"
# axe-core reports these as "minor" (or not at all in recent versions, where they are
# folded into other rules), but two elements with one id send a label, an error-summary
# link or aria-describedby to the wrong field: every page must have none.
DUPLICATE_ID_RULES = {"duplicate-id", "duplicate-id-active", "duplicate-id-aria"}


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    # Argon2 stays the production hasher; tests use a fast one so hundreds of users are cheap.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_cache(request: Any) -> Iterator[None]:
    # Rate-limit counters live in the cache (the database by default): start each test clean.
    uses_db = request.node.get_closest_marker("django_db") or {"db", "transactional_db", "live_server"} & set(
        request.fixturenames
    )
    if not uses_db:
        yield
        return
    from django.core.cache import cache

    if "transactional_db" not in request.fixturenames and "live_server" not in request.fixturenames:
        request.getfixturevalue("db")
    from saferwork.delivery.models import EvaluationFormVersion

    cache.clear()
    # The evaluation form's version is kept in process memory: not across rolled-back tests.
    EvaluationFormVersion.forget_cached()
    yield
    cache.clear()
    EvaluationFormVersion.forget_cached()


def current_code(device: TOTPDevice) -> str:
    """The code an authenticator app would show now for ``device``."""
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):0{device.digits}d}"


@pytest.fixture
def programme_host(db: Any) -> Any:
    return factories.OrganisationFactory(kind="programme_host", name="Test Confederation")


@pytest.fixture
def organisation(db: Any) -> Any:
    return factories.OrganisationFactory(kind="union", name="Home Union")


@pytest.fixture
def other_organisation(db: Any) -> Any:
    return factories.OrganisationFactory(kind="employer", name="Other Employer")


@pytest.fixture
def programme_admin(programme_host: Any) -> Any:
    return factories.member(programme_host, is_programme_admin=True, email="admin@example.org")


@pytest.fixture
def coordinator(organisation: Any) -> Any:
    return factories.member(organisation, is_coordinator=True, email="coordinator@example.org")


@pytest.fixture
def participant(organisation: Any) -> Any:
    return factories.member(organisation, email="participant@example.org", with_device=False)


@pytest.fixture
def outsider(other_organisation: Any) -> Any:
    """A coordinator of another organisation: must never reach this one's data."""
    return factories.member(
        other_organisation, is_coordinator=True, is_leader=True, is_case_handler=True, email="outsider@example.org"
    )


@pytest.fixture
def legal_rules(db: Any) -> None:
    """The seeded rules: a live-server (transactional) test empties the data migrations' rows
    after itself, so a test that needs them asks for them."""
    factories.load_legal_rules()


@pytest.fixture
def verified_client(client: Any) -> Any:
    """A test client that signs a user in with a verified second factor."""

    def sign_in(user: Any) -> Any:
        factories.sign_in_verified(client, user)
        return client

    return sign_in


# ---------------------------------------------------------------- browser tests


def chromium_available() -> bool:
    return Path(CHROMIUM).exists() and shutil.which(CHROMIUM) is not None


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not chromium_available():
        if IN_CI:
            pytest.fail(f"CI=true but Chromium is missing at {CHROMIUM}: browser tests must run.")
        pytest.skip(f"Chromium not found at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--lang=en-GB"],
        )
        yield instance
        instance.close()


@pytest.fixture
def page(browser: Any, live_server: Any, request: Any) -> Iterator[Any]:
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 1280, "height": 900},
        locale="en-GB",  # date fields and the like as our users in the UK see them
        timezone_id="Europe/London",
    )
    # Any request to another host fails the test: no page may load anything from elsewhere.
    foreign: list[str] = []

    def ours(url: str) -> bool:
        return url.startswith((live_server.url, f"blob:{live_server.url}", "data:"))

    def guard(route: Any) -> None:
        if ours(route.request.url):
            route.continue_()
        else:
            foreign.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    # Routing does not see every hop of a redirect (a link our server redirects elsewhere
    # goes straight out), so every request the pages make is checked as well.
    context.on("request", lambda request: None if ours(request.url) else foreign.append(request.url))
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    csp_errors: list[str] = []
    tab.on(
        "console",
        lambda msg: csp_errors.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    yield tab
    context.close()
    assert not foreign, f"Pages tried to load from other hosts: {sorted(set(foreign))}"
    assert not csp_errors, f"The Content-Security-Policy blocked something: {csp_errors}"


def screenshot(page: Any, name: str) -> Path:
    """Save a full-page screenshot under var/screenshots/ for a person to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def assert_accessible(page: Any, name: str | None = None) -> None:
    """Run axe-core on the current page; fail on any serious or critical violation, and on
    any duplicate id whatever its impact (a label or a link can then reach the wrong field)."""
    # Evaluated through the DevTools protocol, which the page's CSP does not govern:
    # the app itself never allows inline script.
    page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    # The two deprecated duplicate-id rules are off by default and duplicate-id-aria only
    # asks for review ("incomplete"): turn them on and count a review as a failure.
    result = page.evaluate(
        """async () => await axe.run(document, {
            resultTypes: ['violations', 'incomplete'],
            rules: {'duplicate-id': {enabled: true}, 'duplicate-id-active': {enabled: true}},
        })"""
    )
    bad = [v for v in result["violations"] if v["impact"] in {"serious", "critical"} or v["id"] in DUPLICATE_ID_RULES]
    # axe cannot always compute a contrast (white text on a white button is one it only
    # "needs review"); a control nobody can see is a failure, so a review counts as one.
    bad += [v for v in result["incomplete"] if v["id"] in DUPLICATE_ID_RULES]
    bad += _contrast_reviews(page, [v for v in result["incomplete"] if v["id"] == "color-contrast"])
    if name:
        screenshot(page, name)
    assert not bad, (
        "axe-core violations on "
        + page.url
        + ":\n"
        + "\n".join(f"- {v['id']} ({v['impact']}): {v['help']} at {_nodes(v)}" for v in bad)
    )
    assert_fits_phone(page, f"{name}-375" if name else None)


def _contrast_reviews(page: Any, reviews: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The colour-contrast reviews that stand once each element is in view.

    A cell of a wide table on a phone is partly scrolled out of its box, and axe then
    cannot see its background ("partially obscured"). Each such element is scrolled into
    view inside its box and checked again on its own; whatever axe still cannot settle (or
    finds too faint) counts as a failure: white text on a white button is only ever a review.
    """
    left = []
    for rule in reviews:
        nodes = []
        for node in rule["nodes"]:
            again = page.evaluate(
                """async (target) => {
                    const el = document.querySelector(target);
                    el.scrollIntoView({block: 'center', inline: 'start'});
                    const r = await axe.run({include: [target]}, {
                        runOnly: ['color-contrast'], resultTypes: ['violations', 'incomplete'],
                    });
                    const box = el.closest('.sw-table-scroll');
                    if (box) box.scrollLeft = 0;
                    window.scrollTo(0, 0);
                    return r.violations.length + r.incomplete.length;
                }""",
                node["target"][0],
            )
            if again:
                nodes.append(node)
        if nodes:
            left.append({**rule, "nodes": nodes})
    return left


def _nodes(rule: dict[str, Any]) -> list[Any]:
    """The first few places a rule flagged, with axe's reason where it gives one."""
    found = []
    for node in rule["nodes"][:3]:
        check = (node.get("any") or [{}])[0]
        related = [r["target"] for r in check.get("relatedNodes", [])[:2]]
        found.append((node["target"], check.get("message", ""), related))
    return found


# Elements that stick out past the right edge of a 375 px screen, leaving out those inside
# a box that scrolls or clips on its own (a wide table in its scroll box is fine).
_OVERFLOW_JS = """() => {
    const width = document.documentElement.clientWidth;
    const contained = (el) => {
        for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
            if (['auto', 'scroll', 'hidden', 'clip'].includes(getComputedStyle(p).overflowX)) return true;
        }
        return false;
    };
    const out = [];
    for (const el of document.body.querySelectorAll('*')) {
        const box = el.getBoundingClientRect();
        if (box.width && box.right > width + 1 && !contained(el)
            && !(el.parentElement && el.parentElement.getBoundingClientRect().right > width + 1)) {
            const classes = typeof el.className === 'string' ? el.className.trim().split(/\\s+/) : [];
            const label = [el.tagName.toLowerCase() + (el.id ? '#' + el.id : ''), ...classes].join('.');
            out.push(label + ' to ' + Math.round(box.right) + 'px: ' + (el.textContent || '').trim().slice(0, 40));
        }
    }
    return {scroll: document.documentElement.scrollWidth, width, out: out.slice(0, 5)};
}"""


def assert_fits_phone(page: Any, name: str | None = None) -> None:
    """At 375 px wide (a small phone) the page must not scroll sideways."""
    size = page.viewport_size
    page.set_viewport_size({"width": 375, "height": 800})
    try:
        found = page.evaluate(_OVERFLOW_JS)
        if name:
            screenshot(page, name)
    finally:
        page.set_viewport_size(size)
    assert found["scroll"] <= 375, f"{page.url} scrolls sideways at 375 px ({found['scroll']} px wide): {found['out']}"


def fill_date(page: Any, field_id: str, day: Any) -> None:
    """Type a date into GOV.UK's day, month and year boxes, as a person would."""
    page.fill(f"#{field_id}_day", str(day.day))
    page.fill(f"#{field_id}_month", str(day.month))
    page.fill(f"#{field_id}_year", str(day.year))
