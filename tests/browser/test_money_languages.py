"""The money pages in other languages, in a real browser: the public transparency portal in Arabic (right to left,
nothing wider than the window at 1,366 and 390 px) and in Spanish, and a donor's portal and report in French."""

import pytest
from playwright.sync_api import expect

OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


@pytest.mark.parametrize("width", [1366, 390])
def test_the_transparency_portal_in_arabic_reads_right_to_left(browser, live_server, screenshot, width):
    context = browser.new_context(base_url=live_server, locale="ar", viewport={"width": width, "height": 900})
    page = context.new_page()
    try:
        page.goto("/transparency/")
        assert page.locator("html").get_attribute("dir") == "rtl"
        expect(page.get_by_role("heading", name="من أين تأتي الأموال وإلى أين تذهب")).to_be_visible()
        assert page.locator("svg.chart").count() >= 5
        assert page.evaluate(OVERFLOW) <= 0
        screenshot(page, f"transparency-ar-{width}")
        page.locator("#programmes tbody tr").first.get_by_role("link").click()
        expect(page.get_by_role("heading", name="الحركات المالية")).to_be_visible()
        assert page.evaluate(OVERFLOW) <= 0
        screenshot(page, f"transparency-programme-ar-{width}")
    finally:
        context.close()


def test_the_transparency_portal_in_spanish(browser, live_server, screenshot):
    context = browser.new_context(base_url=live_server, locale="es-ES", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        page.goto("/transparency/")
        assert page.locator("html").get_attribute("lang") == "es"
        expect(page.get_by_role("heading", name="Capitalización y contribuyentes")).to_be_visible()
        assert page.get_by_role("link", name="Descargar esta tabla (CSV)").count() >= 3
        screenshot(page, "transparency-es")
    finally:
        context.close()


def test_a_donor_reads_their_contributions_in_french(browser, live_server, screenshot):
    context = browser.new_context(base_url=live_server, locale="fr-FR", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        page.goto("/login")  # the sign-in page already speaks the browser's language
        page.get_by_label("Courriel").fill("donor@example.org")
        page.get_by_label("Mot de passe").fill("fundapp-demo")
        page.get_by_role("button", name="Se connecter").click()
        page.goto("/contributions/my")
        expect(page.get_by_role("heading", name="Mes contributions")).to_be_visible()
        expect(page.get_by_role("heading", name="Utilisation des fonds")).to_be_visible()
        screenshot(page, "donor-portal-fr")
        page.get_by_role("link", name="Rapport sur la contribution").first.click()
        expect(page.get_by_role("heading", name="Attribution par domaine thématique")).to_be_visible()
        screenshot(page, "contribution-report-fr")
    finally:
        context.close()
