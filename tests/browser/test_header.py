"""The header on a phone and its menus: a menu button that folds, menus that close when left."""

import re

import pytest
from playwright.sync_api import expect

from tests.portal.factories import PASSWORD, UserFactory, trainer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _log_in(page, base, user):
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("E-mailadres").fill(user.email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welkom")


def test_on_a_phone_the_menu_folds_behind_a_button(live_server, page):
    _log_in(page, live_server.url, UserFactory(full_name="Pia Telefoon"))
    page.set_viewport_size({"width": 390, "height": 844})
    menu_button = page.get_by_role("button", name="Menu")
    calendar_link = page.get_by_role("link", name="Kalender")

    expect(menu_button).to_have_attribute("aria-expanded", "false")
    expect(calendar_link).to_be_hidden()
    menu_button.click()
    expect(menu_button).to_have_attribute("aria-expanded", "true")
    expect(calendar_link).to_be_visible()
    expect(page.locator("#hoofdmenu")).to_have_class(re.compile(r"\bshow\b"))  # unfolded

    # Escape folds it again and gives focus back to the button.
    calendar_link.focus()
    page.keyboard.press("Escape")
    expect(menu_button).to_have_attribute("aria-expanded", "false")
    expect(menu_button).to_be_focused()

    page.set_viewport_size({"width": 1280, "height": 800})
    expect(menu_button).to_be_hidden()
    expect(calendar_link).to_be_visible()


def test_without_javascript_the_menu_stays_open(live_server, browser, browser_context_args):
    context = browser.new_context(**browser_context_args, java_script_enabled=False)
    page = context.new_page()
    _log_in(page, live_server.url, UserFactory())
    page.set_viewport_size({"width": 390, "height": 844})
    expect(page.get_by_role("button", name="Menu")).to_be_hidden()
    expect(page.get_by_role("link", name="Kalender")).to_be_visible()
    context.close()


def test_a_header_menu_closes_on_escape_and_when_focus_or_a_click_leaves_it(live_server, page):
    _log_in(page, live_server.url, trainer(full_name="Tom Trainer"))
    guidance = page.locator("details.nav-menu", has_text="Begeleiding")
    person = page.locator("details.nav-menu", has_text="Tom Trainer")

    guidance.locator("summary").click()
    expect(guidance).to_have_attribute("open", "")
    page.keyboard.press("Escape")
    expect(guidance).not_to_have_attribute("open", "")
    expect(guidance.locator("summary")).to_be_focused()

    # Opening another menu closes the first; a click elsewhere closes both.
    guidance.locator("summary").click()
    person.locator("summary").click()
    expect(guidance).not_to_have_attribute("open", "")
    expect(person).to_have_attribute("open", "")
    page.get_by_role("heading", level=1).click()
    expect(person).not_to_have_attribute("open", "")

    # Tabbing out of an open menu closes it.
    guidance.locator("summary").click()
    guidance.get_by_role("link").last.focus()
    page.keyboard.press("Tab")
    expect(guidance).not_to_have_attribute("open", "")
