import pytest
import time_machine
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError

from irsite.disclaimers.models import ImmutableVersionError
from releases.models import Release

from .conftest import at

GO_LIVE = at(2026, 11, 30, 8, 0, 0)


@pytest.fixture
def scheduled(make_release, publish):
    with time_machine.travel(at(2026, 11, 29, 12, 0, 0), tick=False):
        return publish(make_release(published_at=GO_LIVE))


@pytest.mark.parametrize(
    ("now", "public"),
    [
        (at(2026, 11, 30, 7, 59, 59), False),
        (at(2026, 11, 30, 8, 0, 0), True),
        (at(2026, 11, 30, 8, 0, 1), True),
    ],
    ids=["a second before", "exactly at", "a second after"],
)
def test_scheduled_release_is_public_from_its_publication_second(scheduled, now, public):
    with time_machine.travel(now, tick=False):
        assert (scheduled in Release.objects.public()) is public
        assert Release.objects.get(pk=scheduled.pk).is_public is public
        assert (scheduled in Release.objects.scheduled()) is not public


def test_draft_with_past_time_is_not_public(make_release):
    draft = make_release(published_at=at(2003, 1, 24, 8, 0, 0))
    assert draft not in Release.objects.public()
    assert draft.state == "draft"


def test_publication_time_is_stored_to_the_second(make_release):
    release = make_release(published_at=at(2026, 1, 1, 8, 0, 0).replace(microsecond=999_999))
    release.refresh_from_db()
    assert release.published_at == at(2026, 1, 1, 8, 0, 0)


def test_next_go_live_is_the_earliest_scheduled_time(make_release, publish):
    with time_machine.travel(at(2026, 11, 29, 12, 0, 0), tick=False):
        publish(make_release(published_at=at(2026, 12, 1, 8, 0, 0)))
        publish(make_release(published_at=GO_LIVE))
        assert Release.objects.next_go_live() == GO_LIVE


def test_dateline_reads_like_the_printed_release(make_release):
    release = make_release(dateline_city="CAMBRIDGE, MA", published_at=at(2003, 1, 24, 8, 0, 0))
    assert release.dateline == "CAMBRIDGE, MA, January 24, 2003 –"
    assert release.body_html().startswith(
        '<p><span class="dateline">CAMBRIDGE, MA, January 24, 2003 –</span> First paragraph'
    )


def test_body_is_sanitized_when_saved(make_release):
    release = make_release(body='<p onclick="x()">Hi<script>alert(1)</script></p>')
    release.refresh_from_db()
    assert release.body == "<p>Hi</p>"


def test_published_release_must_have_a_publication_time(make_release):
    release = make_release()
    with pytest.raises(IntegrityError), transaction.atomic():
        Release.objects.filter(pk=release.pk).update(status="published", published_at=None)


def test_disclaimer_version_cannot_be_changed_through_the_model(disclaimer_versions):
    version = disclaimer_versions[0]
    version.text = "<p>Rewritten history.</p>"
    with pytest.raises(ImmutableVersionError):
        version.save()


def test_database_refuses_to_change_a_disclaimer_version(disclaimer_versions):
    version = disclaimer_versions[0]
    with (
        pytest.raises(Exception, match="immutable"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "UPDATE disclaimers_disclaimerversion SET text = %s WHERE id = %s",
            ["<p>Rewritten history.</p>", version.pk],
        )
    version.refresh_from_db()
    assert "Rewritten" not in version.text


def test_disclaimer_version_used_by_a_release_cannot_be_deleted(make_release, publish):
    release = publish(make_release())
    version = release.disclaimers.first()
    with pytest.raises(ProtectedError):
        version.delete()
    # Django's foreign keys are deferred to commit; check_constraints() is that commit check.
    with pytest.raises(IntegrityError), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM disclaimers_disclaimerversion WHERE id = %s", [version.pk])
        connection.check_constraints()
    assert release.disclaimers.filter(pk=version.pk).exists()


def test_revising_a_disclaimer_adds_a_version_and_published_release_keeps_its_own(
    make_release, publish, disclaimer_versions
):
    release = publish(make_release())
    about = disclaimer_versions[0].disclaimer
    new = about.revise("ABOUT IMMUNOGEN, INC.", "<p>A new boilerplate.</p>")
    assert new.number == 2
    assert about.revise("ABOUT IMMUNOGEN, INC.", "<p>A new boilerplate.</p>") == new
    page = Release.objects.for_page().get(pk=release.pk)
    assert [v.number for v in page.abouts()] == [1]
