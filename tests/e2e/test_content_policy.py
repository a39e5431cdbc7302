"""Under the Content-Security-Policy (no inline script or style) the pages that bring their own
JavaScript still work in a real browser: the API docs (Swagger UI), the admin's user pages and the
print buttons. The fixtures fail a test on any violation Chromium reports; the last test shows they do."""

from __future__ import annotations

from typing import Any

from tests.e2e.conftest import login, shot, watch


def test_the_api_docs_render_under_the_policy(page_desktop: Any, portal: Any) -> None:
    page = page_desktop
    page.goto("/api/docs/")
    page.wait_for_selector(".swagger-ui .info .title", timeout=15_000)
    assert "PATEN API" in page.inner_text(".swagger-ui .info .title")
    page.wait_for_selector(".opblock-tag", timeout=15_000)
    assert page.locator(".opblock").count() > 10
    shot(page, "api-docs-desktop")


def test_the_admin_user_pages_work_under_the_policy(page_desktop: Any, users: Any) -> None:
    page = page_desktop
    login(page, "admin")
    page.goto("/admin/auth/user/")
    assert page.locator("select[name=action] option[value=deactivate]").count() == 1
    page.goto(f"/admin/auth/user/{users['kasi1'].pk}/change/")
    # The groups and permissions pickers are drawn by the admin's JavaScript (SelectFilter2).
    page.wait_for_selector("#id_groups_from", timeout=10_000)
    page.goto(f"/admin/auth/user/{users['loket1'].pk}/delete/")
    assert page.locator("h1").count() == 1


def test_a_print_button_prints(page_desktop: Any, deployed: Any) -> None:
    page = page_desktop
    page.goto("/layanan/sktm/")
    page.evaluate("() => { window.__printed = 0; window.print = () => { window.__printed += 1; }; }")
    page.click("button[data-print]")
    assert page.evaluate("window.__printed") == 1


def test_an_inline_script_is_reported_as_a_violation(browser: Any, portal: Any) -> None:
    context = browser.new_context(base_url=portal.url, locale="id-ID")
    try:
        page = context.new_page()
        watched = watch(page)
        page.goto("/")
        page.evaluate(
            """() => {
                const script = document.createElement("script");
                script.textContent = "window.__ran = true";
                document.body.appendChild(script);
                const box = document.createElement("div");
                box.setAttribute("style", "color: red");
                document.body.appendChild(box);
            }"""
        )
        page.wait_for_timeout(200)
        assert page.evaluate("window.__ran === undefined")
        assert watched.csp_violations, "Chromium reported no violation"
    finally:
        context.close()
