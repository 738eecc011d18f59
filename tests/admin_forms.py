"""What the admin's forms post and where, shared by the tests that drive the admin."""

import re

from django.urls import reverse

from irsite.contacts.models import CompanyProfile
from releases.models import PendingCorrection, Release

from .conftest import NY

ADD_URL = reverse("admin:releases_release_add")


def change_url(release: Release) -> str:
    return reverse("admin:releases_release_change", args=[release.pk])


def transition_url(release: Release, name: str) -> str:
    return reverse("admin:releases_release_transition", args=[release.pk, name])


def confirm(client, release: Release, name: str, data: dict | None = None, **kwargs):
    """Confirm a transition as its page does: with the version of the release on screen."""
    version = Release.objects.get(pk=release.pk).version
    return client.post(
        transition_url(release, name), {"version": version, **(data or {})}, **kwargs
    )


def form_data(contacts, versions, **overrides) -> dict:
    """What the admin's release form posts, inlines included."""
    data = {
        "exhibit_label": "EXHIBIT 99.1",
        "headline": "ImmunoGen regains rights",
        "subheadline": "",
        "slug": "immunogen-regains-rights",
        "dateline_city": "CAMBRIDGE, MA",
        "published_at_0": "2026-11-26",
        "published_at_1": "16:05:00",
        "body": "<p>ImmunoGen today announced.</p><table><tr><th>Q</th></tr></table>",
        "summary": "",
        "filing_url": "",
        "releasecontact_set-TOTAL_FORMS": str(len(contacts)),
        "releasecontact_set-INITIAL_FORMS": "0",
        "releasedisclaimer_set-TOTAL_FORMS": str(len(versions)),
        "releasedisclaimer_set-INITIAL_FORMS": "0",
        "attachments-TOTAL_FORMS": "0",
        "attachments-INITIAL_FORMS": "0",
    }
    for i, contact in enumerate(contacts):
        data |= {
            f"releasecontact_set-{i}-contact": contact.pk,
            f"releasecontact_set-{i}-position": i,
        }
    for i, version in enumerate(versions):
        data |= {
            f"releasedisclaimer_set-{i}-version": version.pk,
            f"releasedisclaimer_set-{i}-position": i,
        }
    return data | overrides


def edit_data(release: Release, **overrides) -> dict:
    """The change form as loaded for ``release``, with ``overrides`` typed in."""
    local = release.published_at.astimezone(NY)
    # An empty field (None) is an empty input, as the browser sends it.
    data = {
        name: "" if getattr(release, name) is None else getattr(release, name)
        for name in Release.CONTENT_FIELDS
    }
    data |= {
        "published_at_0": f"{local:%Y-%m-%d}",
        "published_at_1": f"{local:%H:%M:%S}",
        "based_on_version": release.version,
        "correction_note": "",
        "attachments-TOTAL_FORMS": "0",
        "attachments-INITIAL_FORMS": "0",
    }
    data.pop("published_at")
    for prefix, rows, key in [
        ("releasecontact_set", release.releasecontact_set.all(), "contact"),
        ("releasedisclaimer_set", release.releasedisclaimer_set.all(), "version"),
    ]:
        data[f"{prefix}-TOTAL_FORMS"] = data[f"{prefix}-INITIAL_FORMS"] = len(rows)
        for i, row in enumerate(rows):
            data |= {
                f"{prefix}-{i}-id": row.pk,
                f"{prefix}-{i}-release": release.pk,
                f"{prefix}-{i}-{key}": getattr(row, f"{key}_id"),
                f"{prefix}-{i}-position": row.position,
            }
    return data | overrides


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


# The company profile's change page.
CHANGE = "admin:contacts_companyprofile_change"


def profile_data(company: CompanyProfile, **extra) -> dict:
    fields = ["legal_name", "short_name", "address_lines", "telephone", "fax", "website",
              "exchange", "ticker"]  # fmt: skip
    return {f: getattr(company, f) for f in fields} | extra


def post_profile(client, user, **fields):
    client.force_login(user)
    company = CompanyProfile.load()
    response = client.post(reverse(CHANGE, args=[company.pk]), profile_data(company, **fields))
    client.logout()
    return response


def prepare_correction(client, user, release: Release, data: dict) -> PendingCorrection:
    client.force_login(user)
    response = client.post(change_url(release), data)
    assert response.status_code == 302, response.context["errors"]
    client.logout()
    return release.pending_corrections.get(status=PendingCorrection.Status.PENDING)


def approval_of(review: str) -> dict:
    """What the correction review page's approve form posts: its hidden fields, as shown."""
    form = re.search(r'<form[^>]*id="approve-correction".*?</form>', review, re.S)
    assert form, "the review page shows no approve form"
    fields = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form.group())
    return {name: value for name, value in fields if name != "csrfmiddlewaretoken"}


def approve_correction(client, user, pending: PendingCorrection) -> str:
    """A second person opens the correction, reads its changes and approves it; the page."""
    client.force_login(user)
    url = reverse("admin:releases_release_correction", args=[pending.release_id, pending.pk])
    review = client.get(url).content.decode()
    response = client.post(url, approval_of(review))
    assert response.status_code == 302
    client.logout()
    assert Release.objects.get(pk=pending.release_id).corrections.exists()
    return review
