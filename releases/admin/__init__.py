"""The release desk in Django's admin, one module per concern.

- `forms`: the release form and the forms of the confirmation and import pages;
- `release`: the release admin (list, change form, inlines, filters);
- `workflow`: the transition buttons' confirmation pages, previews and share links;
- `tools`: exhibit import and export, revisions and restore;
- `audit`: the read-only audit trail; `categories`: the taxonomy.
"""

from . import audit, categories, release  # noqa: F401 (each registers its ModelAdmin)
