"""Results kits: one page per fiscal period (Q1-Q4, the full year) with its earnings release,
its earnings call and its documents (slides, supplemental tables, financial statements,
transcript), public exactly when its release is (`KitQuerySet.public`).

Built on what releases and events already trust, reused rather than copied: the releases'
publication rule (`ReleaseQuerySet.public`, in a subquery), the events' own rules for the
call's time and webcast, the stored-file names and file responses, the page cache and the
front cache's ``list`` key (which every release purge names). See docs/results.md.
"""
