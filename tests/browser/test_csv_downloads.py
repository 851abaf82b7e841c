"""The list pages' CSV downloads, as a person clicks them: each list's "Export CSV" (or "Download CSV") gives the
whole list with the page's filters, every page of it, streamed (the streamed body arrives whole in the browser)."""

import csv
import io
import re
from pathlib import Path

import pytest

from tests.browser.conftest import sign_in

DOWNLOADS = [
    # (who, the list, the link's name, the file's name, its first column)
    ("secretariat@example.org", "/concept-notes/", "Export CSV", "concept-notes.csv", "reference"),
    ("secretariat@example.org", "/contributions/ledger", "Export CSV", "fund-ledger.csv", "id"),
    ("chair@example.org", "/committee/pipeline", "Export CSV", "pipeline.csv", "rank"),
    ("secretariat@example.org", "/programmes", "Download CSV", "joint-programmes.csv", "reference"),
]


def _in_all(page) -> int | None:
    """The number of rows the list's pager says it has in all (None: a single page without a pager)."""
    pager = page.locator("nav.pagination")
    if not pager.count():
        return None
    found = re.search(r"([\d,]+) in all", pager.first.inner_text())
    return int(found.group(1).replace(",", "")) if found else None


@pytest.mark.parametrize(("email", "path", "link", "filename", "first"), DOWNLOADS, ids=[d[3] for d in DOWNLOADS])
def test_a_list_downloads_as_the_whole_csv(page, screenshot, email, path, link, filename, first):
    sign_in(page, email)
    page.goto(path)
    in_all = _in_all(page)
    with page.expect_download() as download:
        page.get_by_role("link", name=link, exact=True).first.click()
    assert download.value.suggested_filename == filename
    text = Path(download.value.path()).read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][0] == first
    assert len(rows) > 1
    assert len({len(r) for r in rows}) == 1  # every row as wide as the header
    if in_all is not None:
        assert len(rows) - 1 == in_all  # every page of the list, not the first only
    screenshot(page, f"download-{filename.removesuffix('.csv')}")
