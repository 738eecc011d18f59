"""The read-only public JSON API: ``/api/v1/`` (docs/api.md).

Anonymous, versioned and built on the same public querysets as the pages
(`releases.models.ReleaseQuerySet.public`): nothing is public here that is not public on a page,
and nothing is public a second earlier. Every answer goes through the site's page cache and
front-cache policy (`irsite.http`), so a go-live, a correction or a withdrawal reaches the API
exactly as it reaches the pages.

Direction: ``api`` sits above the apps it publishes (``releases``, ``events``, ``filings``)
and beside ``irsite.alerts``; nothing below imports it (import-linter, ``pyproject.toml``).

- ``v1``: the first version, one module per noun (``v1.releases``, ``v1.events``,
  ``v1.filings``; results kits and reports add theirs), what they share (``v1.cursors``,
  ``v1.errors``, ``v1.params``, ``v1.responses``) and the NinjaAPI that binds them (``v1.site``);
- ``urls``: mounted at ``/api/`` by ``irsite.urls``.
"""
