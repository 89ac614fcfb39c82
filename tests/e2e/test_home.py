from tests.e2e.conftest import assert_accessible


def test_home_is_accessible_and_crisis_help_is_one_tab_after_the_skip_link(live_server, page):
    page.goto(live_server.url + "/")
    assert_accessible(page, "home")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent").strip() == "Skip to main content"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent").strip() == "Need help now?"
    page.keyboard.press("Enter")
    page.wait_for_url("**/help-now/")
    assert "111" in page.content() and "116 123" in page.content()
    assert_accessible(page, "crisis")
