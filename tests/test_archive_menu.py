"""The archive menu (years, categories) follows the publication rule at any size."""

import pytest
import time_machine

from releases.models import Category, Release

from .conftest import at


@pytest.fixture
def spread(make_release, publish, category):
    other = Category.objects.create(name="Dividends", slug="dividends")
    future = Category.objects.create(name="Future only", slug="future-only")
    for year in (2001, 2003, 2004):
        publish(make_release(categories=[category], published_at=at(year, 6, 1, 8, 0, 0)))
    publish(make_release(categories=[other], published_at=at(2004, 12, 31, 23, 59, 59)))
    # Scheduled for New Year's Day 2006, local time; nothing of it may show before.
    publish(make_release(categories=[future], published_at=at(2006, 1, 1, 0, 0, 0)))
    return category, other, future


@pytest.mark.django_db
def test_years_are_the_local_years_with_public_releases_newest_first(spread):
    with time_machine.travel(at(2005, 12, 31, 23, 59, 59), tick=False):
        assert Release.objects.public().years() == [2004, 2003, 2001]
    with time_machine.travel(at(2006, 1, 1, 0, 0, 0), tick=False):
        assert Release.objects.public().years() == [2006, 2004, 2003, 2001]


@pytest.mark.django_db
def test_categories_are_those_with_a_public_release(spread):
    category, other, future = spread
    with time_machine.travel(at(2005, 12, 31, 23, 59, 59), tick=False):
        assert list(Release.objects.public().categories()) == [category, other]
        response_years = Release.objects.public().filter(categories=other).years()
        assert response_years == [2004]
    with time_machine.travel(at(2006, 1, 1, 0, 0, 0), tick=False):
        assert list(Release.objects.public().categories()) == [category, other, future]


@pytest.mark.django_db
def test_years_of_nothing_is_empty(db):
    assert Release.objects.public().years() == []
