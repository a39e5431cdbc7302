"""Public pages and logging in, in a real browser at phone and desktop width."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import assert_fits, assert_not_error_page, login, shot, visit

VIEWPORTS = ["phone", "desktop"]


@pytest.fixture(params=VIEWPORTS)
def viewport_page(request: pytest.FixtureRequest) -> tuple[str, Any]:
    return request.param, request.getfixturevalue(f"page_{request.param}")


def test_public_pages_render_and_fit(viewport_page: tuple[str, Any], deployed: Any) -> None:
    size, page = viewport_page
    visit(page, "/")
    assert page.locator("main h1").inner_text() == "Pelayanan Administrasi Terpadu Kecamatan (PATEN)"
    assert page.locator("main a[href='/layanan/sktm/']").count() == 1
    # The stylesheet loaded: the skip link is moved off-screen until it is focused.
    assert page.locator("a.skip").bounding_box()["x"] < 0
    shot(page, f"public-home-{size}")

    visit(page, "/layanan/")
    assert page.locator("main a[href='/layanan/sktm/']").count() >= 1
    shot(page, f"service-list-{size}")

    visit(page, "/layanan/sktm/")
    assert "Surat Keterangan Tidak Mampu" in page.inner_text("main")
    shot(page, f"service-sktm-{size}")

    visit(page, "/masuk/")
    assert page.locator("#id_username").is_visible() and page.locator("#id_password").is_visible()
    shot(page, f"login-{size}")


ROLES = {
    "loket1": "loket",
    "kasi1": "kasi",
    "sekcam1": "sekcam",
    "camat1": "camat",
    "warga1": "warga",
    "auditor1": "auditor",
    "admin": "admin",
}


@pytest.mark.parametrize("username", list(ROLES))
def test_each_role_lands_on_a_working_page(viewport_page: tuple[str, Any], username: str) -> None:
    size, page = viewport_page
    landed = login(page, username)
    assert "/masuk/" not in page.url, f"{username} was not logged in"
    assert_not_error_page(page, landed)
    # Django's own admin is not laid out for phones; every page of the portal must fit.
    if "/admin/" not in page.url:
        assert_fits(page)
    shot(page, f"{ROLES[username]}-home-{size}")


def test_a_wrong_password_is_refused_in_indonesian(page_phone: Any) -> None:
    page_phone.goto("/masuk/")
    page_phone.fill("#id_username", "loket1")
    page_phone.fill("#id_password", "salah-sekali")
    page_phone.click("main button[type=submit]")
    assert "/masuk/" in page_phone.url
    assert page_phone.locator("main [role=alert]").is_visible()
    assert_fits(page_phone)


def test_keyboard_reaches_the_skip_link_first_and_it_moves_focus_to_main(page_desktop: Any) -> None:
    page = page_desktop
    visit(page, "/")
    page.keyboard.press("Tab")
    focused = page.evaluate(
        """() => { const e = document.activeElement, s = getComputedStyle(e);
                   return {cls: e.className, text: e.textContent.trim(), style: s.outlineStyle,
                           width: parseFloat(s.outlineWidth), x: e.getBoundingClientRect().x}; }"""
    )
    assert focused["cls"] == "skip" and focused["text"] == "Langsung ke isi"
    assert focused["style"] not in ("none", "") and focused["width"] >= 2, focused  # a visible focus ring
    assert focused["x"] >= 0  # and the link itself comes on screen
    shot(page, "skip-link-desktop")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "isi"
    # The next Tab goes on from the main content, with a visible ring again.
    page.keyboard.press("Tab")
    ring = page.evaluate(
        """() => { const e = document.activeElement, s = getComputedStyle(e);
                   return {inMain: !!e.closest('main'), style: s.outlineStyle, width: parseFloat(s.outlineWidth)}; }"""
    )
    assert ring["inMain"] and ring["style"] not in ("none", "") and ring["width"] >= 2, ring
