"""The release as it will print, for the person who approves it: the exhibit label, letterhead,
FOR IMMEDIATE RELEASE, headline, body, contacts, About, safe harbor, categories and the files,
each file with a staff-only link to the very version approved."""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.safestring import SafeString

from ..models import Category, Release
from ..record.rendering import render_record


@dataclass(frozen=True)
class PrintedFile:
    title: str
    original_name: str
    size: int
    content_type: str
    url: str


@dataclass(frozen=True)
class Printed:
    release: Release
    letterhead: SafeString
    content: SafeString
    categories: list[Category]
    files: list[PrintedFile]


def as_printed(release: Release, file_url: Callable[[str], str]) -> Printed:
    """``release`` (loaded with `for_page()`) rendered as its page prints the record, as the
    preview renders it (body images inline). Everything is read now: a corrected copy lives only
    inside its savepoint."""
    record = render_record(release, preview=True)
    return Printed(
        release=release,
        letterhead=record.letterhead,
        content=record.content,
        categories=list(release.category_list),
        files=[
            PrintedFile(
                title=item.title,
                original_name=item.original_name or item.key,
                size=item.size,
                content_type=item.content_type,
                url=file_url(str(item.file.name)),
            )
            for item in release.attachment_list
        ],
    )
