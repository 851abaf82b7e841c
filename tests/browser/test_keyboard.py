"""A keyboard-only journey (WCAG 2.1.1): an applicant (applicant4@ of ILO, so other tests' data stays) signs in,
creates, fills in and submits a concept note with page.keyboard only — Tab, Shift+Tab, Enter, Space, arrow keys
and typing; never a click, never a fill()."""

import re

from tests.browser.conftest import OUTPUT

#: What document.activeElement is called: its aria-label, else its labels' text (without the hidden "*"), else its
#: own text or value — close enough to the accessible name for the controls of our forms.
ACTIVE_NAME = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return "";
  const clean = (node) => {
    const copy = node.cloneNode(true);
    copy.querySelectorAll("[aria-hidden=true], input, select, textarea").forEach((n) => n.remove());
    return copy.textContent;
  };
  let name = el.getAttribute("aria-label") || "";
  if (!name && el.labels && el.labels.length) name = Array.from(el.labels).map(clean).join(" ");
  if (!name) name = el.innerText || el.value || "";
  return name.replace(/\\s+/g, " ").trim();
}"""


def tab_to(page, target, limit: int = 200, backwards: bool = False) -> None:
    """Press Tab (Shift+Tab if backwards) until the focused element is `target`: an accessible name (a string,
    matched whole), a compiled regular expression (searched in the name), or "css=<selector>". Fails with the
    names met on the way if `limit` presses do not get there (an unreachable control is an accessibility bug)."""
    key = "Shift+Tab" if backwards else "Tab"
    seen: list[str] = []
    for _ in range(limit):
        page.keyboard.press(key)
        if isinstance(target, str) and target.startswith("css="):
            if page.evaluate("(s) => !!document.activeElement && document.activeElement.matches(s)", target[4:]):
                return
            seen.append(page.evaluate("() => document.activeElement && document.activeElement.outerHTML.slice(0, 60)"))
            continue
        name = page.evaluate(ACTIVE_NAME)
        if (isinstance(target, re.Pattern) and target.search(name)) or name == target:
            return
        seen.append(name)
    raise AssertionError(
        f"{target!r} not reached with {limit} presses of {key}; focus went through: {seen[-15:]} (last 15)"
    )


def type_into(page, text: str) -> None:
    """Replace the focused text control's content by `text`, from the keyboard."""
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


def focused_value(page) -> str:
    return page.evaluate("() => document.activeElement.value")


def choose(page, prefix: str) -> None:
    """On a focused closed <select>: type the start of the option's text (type-ahead), as a person does."""
    page.keyboard.type(prefix)
    page.wait_for_timeout(1_100)  # the browser's type-ahead forgets the typed letters after a second


def test_an_applicant_drafts_and_submits_a_concept_note_without_the_mouse(page):
    page.goto("/login")
    tab_to(page, "Email")
    page.keyboard.type("applicant4@example.org")
    tab_to(page, "Password")
    page.keyboard.type("fundapp-demo")
    page.keyboard.press("Enter")
    page.wait_for_url("**/applicant")

    tab_to(page, "New concept note")
    page.keyboard.press("Enter")
    page.wait_for_url("**/concept-notes/new")
    tab_to(page, "Working title")
    page.keyboard.type("Fair recruitment corridors, typed from the keyboard")
    page.keyboard.press("Enter")  # submits the form from its text field
    page.wait_for_url(re.compile(r"/concept-notes/\d+/edit$"))
    note_url = page.url.removesuffix("/edit")

    # 1. General
    tab_to(page, "Duration (months)")
    type_into(page, "24")
    tab_to(page, "Share of the budget for gender equality (%)")
    type_into(page, "30")
    # 2. Organizations and budget: the lead's costs, then a participating organization with its costs
    tab_to(page, "Direct costs of ILO")
    type_into(page, "900000")
    tab_to(page, "Participating organization 1")
    choose(page, "IOM")
    assert page.evaluate("() => document.activeElement.selectedOptions[0].text").startswith("IOM")
    tab_to(page, "Direct costs of participating organization 1")
    type_into(page, "600000")
    # 3. Thematic focus: the area, then objective 6 with Space
    tab_to(page, "Thematic area")
    choose(page, "TA4")
    assert page.evaluate("() => document.activeElement.selectedOptions[0].text").startswith("TA4")
    tab_to(page, re.compile(r"^6\. "))
    page.keyboard.press("Space")
    assert page.evaluate("() => document.activeElement.checked")
    # 4. Scope and countries: a regional programme in Nepal and Bangladesh
    tab_to(page, "Scope")
    choose(page, "Regional")
    assert focused_value(page) == "regional"
    tab_to(page, "Countries")
    choose(page, "Bangladesh")  # type-ahead selects Bangladesh alone
    # Ctrl+Down moves the focus through the list without changing the choice; Space adds the focused country.
    steps = page.evaluate(
        "() => { const o = Array.from(document.activeElement.options).map((x) => x.value);"
        " return o.indexOf('NPL') - o.indexOf('BGD'); }"
    )
    for _ in range(steps):
        page.keyboard.press("Control+ArrowDown")
    page.keyboard.press("Space")
    countries = page.evaluate("() => Array.from(document.activeElement.selectedOptions).map((o) => o.value)")
    assert set(countries) == {"BGD", "NPL"}, countries
    # 6. and 7. Narrative and guiding principles: every text area
    for textarea_id in page.eval_on_selector_all(
        "#s-narrative textarea, #s-principles textarea", "(els) => els.map((e) => e.id)"
    ):
        tab_to(page, f"css=#{textarea_id}")
        type_into(page, "Migrants, employers and ministries design and run the activities together.")
    # 8. Markers: each select to 2 with the arrow keys
    for select_id in page.eval_on_selector_all("#s-markers select", "(els) => els.map((e) => e.id)"):
        tab_to(page, f"css=#{select_id}")
        choose(page, "2")
        assert focused_value(page) == "2", select_id

    tab_to(page, "Submit for screening")
    shot = OUTPUT / "screenshots" / "keyboard-focus-submit.png"  # the viewport: the focus ring must show
    shot.parent.mkdir(parents=True, exist_ok=True)
    box = page.evaluate("() => { const r = document.activeElement.getBoundingClientRect(); return [r.x, r.y]; }")
    page.screenshot(path=str(shot), clip={"x": 0, "y": max(box[1] - 150, 0), "width": 1280, "height": 300})
    ring = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert ring == "solid", ring
    page.keyboard.press("Enter")
    page.wait_for_url(note_url)
    flashes = page.locator(".flashes").inner_text()
    assert re.search(r"CN-\d+ submitted \(version 1\)", flashes), flashes

    # Back the other way: Shift+Tab reaches the skip link from the page's content.
    tab_to(page, "Skip to content", backwards=True)
