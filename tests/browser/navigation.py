"""Going somewhere through the main menu, as a person does: open the task group, then follow its link."""


def go(page, group: str, link: str) -> None:
    """Click `link` in the main menu, opening its group `group` first (a group of one link is that link)."""
    menu = page.get_by_role("navigation", name="Main")
    target = menu.get_by_role("link", name=link, exact=True)
    if not target.is_visible():
        menu.locator(".nav-group summary", has_text=group).click()
    target.click()
