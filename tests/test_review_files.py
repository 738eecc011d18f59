"""Four-eyes covers files: the second person sees every attachment a correction or a revision
adds, removes, replaces, retitles or moves (its name, size, type, and a staff-only link to each
version's file), and a comparison answers 200 whatever two revisions hold."""

import re
from datetime import timedelta
from html import unescape

import pytest
import time_machine
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from hypothesis import HealthCheck, example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from irsite.uploads import check_upload
from releases import actions
from releases.models import Attachment, PendingCorrection, Release

from .admin_forms import approval_of, edit_data
from .conftest import GO_LIVE
from .files import CSV, PDF, attach, photo, upload
from .shared import body


def key(name: str) -> str:
    return name.rpartition("/")[2]


def file_link(release: Release, name: str) -> str:
    return reverse("admin:releases_release_recorded_file", args=[release.pk, key(name)])


def rows(release: Release) -> dict:
    data = {"attachments-INITIAL_FORMS": str(release.attachments.count())}
    for i, a in enumerate(release.attachment_list):
        data |= {
            f"attachments-{i}-id": a.pk,
            f"attachments-{i}-release": release.pk,
            f"attachments-{i}-title": a.title,
            f"attachments-{i}-position": a.position,
            f"attachments-{i}-is_release_image": "on" if a.is_release_image else "",
        }
    return data


def test_the_correction_review_shows_every_file_change_with_a_private_link_to_each_version(
    client, scheduled, editor, approver
):
    """Replace the statements, remove the photo, add a spreadsheet: the approver's page names
    each file on both sides, and each version's file is served to staff only, never cached."""
    statements, plant = scheduled.attachment_list
    new_pdf = PDF.replace(b"200 200", b"300 300")
    url = reverse("admin:releases_release_change", args=[scheduled.pk])
    with time_machine.travel(GO_LIVE + timedelta(hours=1), tick=False):
        data = edit_data(scheduled, correction_note="Files corrected.") | rows(scheduled)
        data |= {
            "attachments-TOTAL_FORMS": "3",
            "attachments-0-upload": upload("statements-v2.pdf", new_pdf),
            "attachments-1-DELETE": "on",
            "attachments-2-title": "Segment data",
            "attachments-2-position": "2",
            "attachments-2-upload": upload("segments.csv", CSV),
        }
        client.force_login(editor)
        response = client.post(url, data)
        assert response.status_code == 302, response.context and response.context["errors"]
        pending = PendingCorrection.objects.get(release=scheduled)
        proposed = {a["title"]: a for a in pending.data["attachments"]}
        client.force_login(approver)
        review_url = reverse("admin:releases_release_correction", args=[scheduled.pk, pending.pk])
        page = client.get(review_url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="approve-correction"' in html
    for what in ("Replaced:", "Removed:", "Added:"):
        assert what in html
    served = {
        statements.file.name: PDF,
        proposed["Q3 financial statements"]["file"]: new_pdf,
        plant.file.name: plant.file.open("rb").read(),
        proposed["Segment data"]["file"]: CSV,
    }
    for name, content in served.items():
        link = file_link(scheduled, name)
        assert f'href="{link}"' in html, name
        answer = client.get(link)
        assert answer.status_code == 200
        assert body(answer) == content
        assert "private" in answer["Cache-Control"] and "no-store" in answer["Cache-Control"]
    for size, kind in (
        (len(PDF), "application/pdf"),
        (len(new_pdf), "application/pdf"),
        (plant.size, "image/jpeg"),
        (len(CSV), "text/csv"),
    ):
        assert f"{filesizeformat(size)}, {kind}" in html.replace("&nbsp;", "\xa0"), (size, kind)
    assert "statements-v2.pdf" in html and "segments.csv" in html
    # Staff only: signed out the link leads to the sign-in page; another release's record
    # does not open this one's files.
    client.logout()
    assert client.get(file_link(scheduled, statements.file.name)).status_code == 302
    client.force_login(approver)
    other = Release.objects.exclude(pk=scheduled.pk).get()
    assert client.get(file_link(other, statements.file.name)).status_code == 404


# --- any two revisions, whatever their files ---------------------------------------------------

KINDS = {"pdf": ("doc.pdf", PDF), "csv": ("data.csv", CSV), "jpg": ("photo.jpg", None)}
titles = st.text(
    alphabet=st.characters(codec="utf-8", categories=("L", "N", "Zs", "P")),
    min_size=1,
    max_size=30,
).filter(lambda t: t.strip())
operation = st.one_of(
    st.tuples(st.just("add"), titles, st.sampled_from(sorted(KINDS))),
    st.tuples(st.just("remove"), st.integers(0, 5)),
    st.tuples(st.just("replace"), st.integers(0, 5), st.sampled_from(sorted(KINDS))),
    st.tuples(st.just("retitle"), st.integers(0, 5), titles),
    st.tuples(st.just("reorder"), st.randoms(use_true_random=False)),
)


def _content(kind: str, salt: int) -> tuple[str, bytes]:
    name, content = KINDS[kind]
    if content is None:
        return name, photo(size=(16 + salt % 32, 12))
    return name, content + b"\n" * (salt % 7) if kind == "csv" else content


def apply(release: Release, user, op: tuple, salt: int) -> None:
    """One save of the release in which its files change as ``op`` says."""
    release.refresh_from_db()
    actions.save_release(release, user, write_related=files_changed(release, [op], salt))


def files_changed(release: Release, ops: list[tuple], salt: int):
    """The writer of ``release``'s related rows that changes its files as ``ops`` say."""

    def write_related() -> None:
        for i, op in enumerate(ops):
            change_files(release, op, salt + i)

    return write_related


def change_files(release: Release, op: tuple, salt: int) -> None:
    """Change ``release``'s files as ``op`` says (inside a save's `write_related`)."""
    items = list(release.attachments.order_by("position", "pk"))
    if op[0] == "add":
        name, content = _content(op[2], salt)
        item = Attachment(release=release, title=op[1], position=len(items))
        item.take(check_upload(upload(name, content)))
        item.save()
    elif not items:
        return
    elif op[0] == "remove":
        items[op[1] % len(items)].delete()
    elif op[0] == "replace":
        item = items[op[1] % len(items)]
        name, content = _content(op[2], salt)
        item.take(check_upload(upload(name, content)))
        item.save()
    elif op[0] == "retitle":
        item = items[op[1] % len(items)]
        item.title = op[2]
        item.save()
    else:
        op[1].shuffle(items)
        for position, item in enumerate(items):
            item.position = position
            item.save()


@pytest.mark.django_db
@hypothesis_settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ops=st.lists(operation, min_size=1, max_size=6), data=st.data())
def test_any_two_revisions_of_a_release_with_files_compare_naming_every_differing_file(
    client, make_release, editor, ops, data
):
    release = make_release()
    for salt, op in enumerate(ops):
        apply(release, editor, op, salt)
    numbers = sorted(release.revisions.values_list("number", flat=True))
    a = data.draw(st.sampled_from(numbers), label="from")
    b = data.draw(st.sampled_from(numbers), label="to")
    old, new = (release.revisions.get(number=n).data["attachments"] for n in (a, b))
    client.force_login(editor)
    url = reverse("admin:releases_release_revisions", args=[release.pk])
    response = client.get(url, {"a": a, "b": b})
    assert response.status_code == 200
    html = response.content.decode()
    # Every file that is not the same on both sides is named with a link to its version.
    for item in old + new:
        if item in old and item in new:
            continue
        assert f'href="{file_link(release, item["file"])}"' in html, item
    if old == new:
        assert "Attachments</caption>" not in html
    for item in old + new:
        if item not in old or item not in new:
            assert client.get(file_link(release, item["file"])).status_code == 200


def differing(old: list[dict], new: list[dict]) -> list[dict]:
    """The files of two revisions' lists that are not the same on both sides."""
    return [item for item in old + new if item not in old or item not in new]


def assert_each_version_linked_and_served(client, release: Release, html: str, items) -> None:
    for item in items:
        link = file_link(release, item["file"])
        assert f'href="{link}"' in html, item
        assert client.get(link).status_code == 200, item


words = st.text(alphabet=st.characters(codec="ascii", categories=("L", "N")), min_size=1,
                max_size=12)  # fmt: skip
sentences = st.lists(words, min_size=1, max_size=8).map(" ".join)
field_changes = st.fixed_dictionaries(
    {},
    optional={
        "headline": sentences.map(lambda s: f"Company announces {s}"),
        "subheadline": sentences,
        "body": st.lists(sentences, min_size=1, max_size=4).map(
            lambda ps: "".join(f"<p>{p}.</p>" for p in ps)
        ),
    },
)


@pytest.mark.django_db
@hypothesis_settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    drafts=st.lists(operation, max_size=3),
    ops=st.lists(operation, min_size=1, max_size=4),
    fields=field_changes,
    data=st.data(),
)
def test_any_correction_of_a_release_with_files_is_reviewed_file_by_file_then_approved_there(
    client, make_release, publish, editor, approver, drafts, ops, fields, data
):
    """Files added, removed, replaced, retitled or moved and fields changed, in the drafts and
    in a correction of the live release: the approver's review page (and the editor's) answers
    200 naming every file that differs with a link to each version that opens for both, even
    before publication; approved from that page, the revisions compare as well for both."""
    release = make_release(by=editor)
    attach(release, editor, ("Statements", "statements.pdf", PDF))
    for salt, op in enumerate(drafts):
        apply(release, editor, op, salt)
    numbers = sorted(release.revisions.values_list("number", flat=True))
    a, b = (data.draw(st.sampled_from(numbers), label=side) for side in ("draft a", "draft b"))
    old, new = (release.revisions.get(number=n).data["attachments"] for n in (a, b))
    compare = reverse("admin:releases_release_revisions", args=[release.pk])
    for user in (editor, approver):  # before publication: nothing of it is public yet
        client.force_login(user)
        response = client.get(compare, {"a": a, "b": b})
        assert response.status_code == 200
        assert_each_version_linked_and_served(
            client, release, response.content.decode(), differing(old, new)
        )

    publish(release)
    release.refresh_from_db()
    public = release.snapshot()
    for name, value in fields.items():
        setattr(release, name, value)
    pending = actions.save_release(
        release, editor, write_related=files_changed(release, ops, 100), correction_note="Fixed."
    )
    assert isinstance(pending, PendingCorrection)
    review = reverse("admin:releases_release_correction", args=[release.pk, pending.pk])
    changed_files = differing(public["attachments"], pending.data["attachments"])
    for user in (editor, approver):
        client.force_login(user)
        page = client.get(review)
        assert page.status_code == 200
        html = page.content.decode()
        assert_each_version_linked_and_served(client, release, html, changed_files)
        if changed_files:
            assert "Attachments</caption>" in html
    approved = client.post(review, approval_of(html))  # the approver's page, as shown
    assert approved.status_code == 302
    release.refresh_from_db()
    assert release.corrections.exists()
    assert release.snapshot()["attachments"] == pending.data["attachments"]

    numbers = sorted(release.revisions.values_list("number", flat=True))
    a, b = (data.draw(st.sampled_from(numbers), label=side) for side in ("any a", "any b"))
    old, new = (release.revisions.get(number=n).data["attachments"] for n in (a, b))
    for user in (editor, approver):
        client.force_login(user)
        response = client.get(compare, {"a": a, "b": b})
        assert response.status_code == 200
        assert_each_version_linked_and_served(
            client, release, response.content.decode(), differing(old, new)
        )


def test_a_correction_is_approved_only_from_its_review_page_as_shown_to_the_approver(
    client, make_release, publish, editor, approver, second_approver
):
    """A POST typed by hand (the right version, no sign of the page), or carrying what the page
    showed someone else, approves nothing; the page's own form approves it."""
    release = publish(make_release(headline="Acme reports results"))
    attach(release, editor, ("Statements", "statements.pdf", PDF), note="Statements added.")
    pending = release.pending_corrections.get(status=PendingCorrection.Status.PENDING)
    review = reverse("admin:releases_release_correction", args=[release.pk, pending.pk])
    version = Release.objects.get(pk=release.pk).version

    client.force_login(second_approver)
    shown_to_another = approval_of(client.get(review).content.decode())
    client.force_login(approver)
    for forged in (
        {"decision": "approve", "version": version},
        {"decision": "approve", "version": version, "seen": "x"},
        shown_to_another,
    ):
        refused = client.post(review, forged, follow=True)
        assert "did not come from this correction" in refused.content.decode()
        pending.refresh_from_db()
        assert pending.status == PendingCorrection.Status.PENDING
        assert not release.corrections.exists()

    page = client.get(review).content.decode()
    assert client.post(review, approval_of(page)).status_code == 302
    pending.refresh_from_db()
    assert pending.status == PendingCorrection.Status.APPROVED


# --- whatever a recorded revision holds (one written by an older version, a hand-edited row) ---

# Any text PostgreSQL's jsonb can hold (it refuses NUL).
json_text = st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\x00"), max_size=20)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 10**12) | json_text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(json_text, inner, max_size=3),
    max_leaves=8,
)
attachment_items = st.fixed_dictionaries(
    {},
    optional={
        key: json_values
        for key in (
            "title",
            "position",
            "file",
            "content_type",
            "size",
            "original_name",
            "is_release_image",
            "sha256",
        )
    },
)


@pytest.mark.django_db
@hypothesis_settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@example(  # a file named by no text, links by a folder's name, ids that are not ids
    changes=[
        {"attachments": [{"file": {"": {}}, "title": []}, {"file": "x/"}], "categories": [{}]},
        {"attachments": "none", "contacts": [[1], {"a": None}], "published_at": 5},
    ]
)
@given(
    changes=st.lists(
        st.dictionaries(
            st.sampled_from(
                [
                    *Release.CONTENT_FIELDS,
                    "letterhead",
                    "contacts",
                    "disclaimers",
                    "categories",
                    "attachments",
                    "unknown_key",
                ]
            ),
            json_values | st.lists(attachment_items, max_size=3),
            max_size=4,
        ),
        min_size=2,
        max_size=2,
    )
)
def test_two_revisions_compare_whatever_their_recorded_data_holds(
    client, scheduled, approver, changes
):
    """A revision's data as any JSON: the comparison page answers 200 for the approver."""
    recorded = scheduled.revisions.first()
    assert recorded is not None
    start = recorded.number
    for i, change in enumerate(changes, 1):
        scheduled.revisions.create(number=start + i, data=recorded.data | change)
    client.force_login(approver)
    url = reverse("admin:releases_release_revisions", args=[scheduled.pk])
    response = client.get(url, {"a": start + 1, "b": start + 2})
    assert response.status_code == 200
    # Each file link it prints opens that version or answers 404 (a name nothing stored).
    for link in re.findall(
        r'<a href="([^"]+)" class="irsite-file-link"', response.content.decode()
    ):
        assert client.get(unescape(link)).status_code in (200, 404), link
    scheduled.revisions.filter(number__gt=start).delete()
