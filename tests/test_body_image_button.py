"""The body editor's toolbar inserts an image (issue 29): a named, keyboard-reachable button
opens the body-image flow (the release's saved image attachments, each with its alt text), as a
non-superuser Editors user in Chromium; without a saved image it says how to add one."""

import pytest
from playwright.sync_api import expect

from releases.models import Release

from .browsing import AXE, SCREENSHOTS, run_axe, sign_in
from .conftest import SYSTEM, at
from .files import attach, photo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ALT = "The new plant in Norwood, seen from the car park"


def test_editor_inserts_an_image_from_the_body_toolbar_by_keyboard(
    roles, live_server, context, company, contacts, disclaimer_versions, editor, make_release
):
    release = make_release(headline="Plant opens", published_at=at(2030, 1, 5, 8, 0, 0))
    attach(release, SYSTEM, ("The new plant", "plant.jpg", photo()))
    page = sign_in(context, live_server.url, editor.username)
    page.goto(f"{live_server.url}/admin/releases/release/{release.pk}/change/")
    body = page.locator(".prose-editor .ProseMirror[contenteditable=true]")
    body.click()
    page.keyboard.press("Control+End")
    button = page.get_by_role("button", name="Insert an image")
    expect(button).to_have_count(1)
    button.focus()  # a button in the toolbar's tab order, opened with the keyboard
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Insert an image")
    expect(dialog).to_be_visible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "admin-body-image-dialog.png")
    assert AXE.exists()
    # The dialog and its button pass axe; Django's own admin links under it ("current file")
    # are coloured only (link-in-text-block), which is the admin's and not this change's.
    assert run_axe(page, skip=["link-in-text-block"]) == []
    dialog.get_by_role("button", name="Insert “The new plant”").click()
    expect(dialog.get_by_role("status")).to_contain_text("Type the alt text first")
    expect(body.locator("img")).to_have_count(0)
    dialog.get_by_label("Alt text of “The new plant”").fill(ALT)
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(dialog).to_be_hidden()
    expect(body.locator("img")).to_have_attribute("alt", ALT)
    expect(body).to_be_focused()  # back where the editor left off, after the image
    page.click("input[name=_continue]")
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    saved = Release.objects.get(pk=release.pk)
    image = saved.attachment_list[0]
    assert f'<img src="{image.get_absolute_url()}" alt="{ALT}">' in saved.body


def test_without_a_saved_image_the_toolbar_button_says_how_to_add_one(
    roles, live_server, context, company, contacts, disclaimer_versions, editor
):
    page = sign_in(context, live_server.url, editor.username)
    page.goto(f"{live_server.url}/admin/releases/release/add/")
    page.get_by_role("button", name="Insert an image").click()
    dialog = page.get_by_role("dialog", name="Insert an image")
    expect(dialog).to_contain_text("no saved image yet")
    dialog.get_by_role("button", name="Go to attachments").click()
    expect(dialog).to_be_hidden()
    expect(page.locator("#attachments-group .add-row a")).to_be_focused()
    page.get_by_role("button", name="Insert an image").click()
    page.keyboard.press("Escape")  # cancelled: back on the button
    expect(page.get_by_role("button", name="Insert an image")).to_be_focused()
