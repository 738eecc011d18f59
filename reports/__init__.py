"""The reports library: annual reports, proxy statements, sustainability reports and other
documents of a fiscal year, each one PDF with an optional cover image, embargoed like releases.

Built on what releases and events already trust, reused rather than copied: the stored status
and editor's states (`releases.models.Status`, `State`), the publication rule's shape
(`ReportQuerySet.public` beside `ReleaseQuerySet.public`, asking `irsite.clock`), the declared
workflow (`releases.actions.Transition`), the stored names of an upload
(`releases.models.files.StoredFileNames`), the upload checks (`irsite.uploads.check_upload`) and
the site-wide HTTP layer (page cache, purges, the schedule registry, file responses).
See docs/reports.md.
"""
