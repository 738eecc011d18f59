"""`/filings/feed/rss/<group>/`: a group's slug, or no URL at all (404)."""

from ..groups import BY_SLUG


class GroupConverter:
    regex = "[a-z0-9-]{1,20}"

    def to_python(self, value: str) -> str:
        if value not in BY_SLUG:
            raise ValueError(value)  # Django reads this as "no match"
        return value

    def to_url(self, value: str) -> str:
        return value
