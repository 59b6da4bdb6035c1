"""The Settings page's "Your data" in a real browser: download everything as a zip, then
delete the account with the word "delete" and find the season gone."""

from __future__ import annotations

import json
import zipfile

import pytest

from tests.browser.conftest import RACES, Tab

pytestmark = pytest.mark.browser


def test_download_everything_then_delete_the_account(tab: Tab) -> None:
    page = tab.page
    tab.goto("/settings")
    tab.settle()

    with page.expect_download() as downloading:
        page.locator("a#export-all").click()
    download = downloading.value
    assert download.suggested_filename.startswith("rubdown-export-")
    with zipfile.ZipFile(download.path()) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        races = archive.read("tables/races.csv").decode()
    assert manifest["format"] == "rubdown-export"
    assert manifest["tables"]["races"]["rows"] == len(RACES)
    for race in RACES:
        assert race in races

    page.locator("#delete-confirm").fill("delete")
    page.locator("button#delete-account").click()
    page.locator("#delete-account-result").get_by_text("Deleted.").wait_for()
    tab.screenshot("settings-account-deleted")

    answer = page.request.get(tab.server.url + "/api/races")
    assert answer.ok
    assert answer.json()["races"] == []
    tab.assert_clean()
