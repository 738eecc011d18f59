"""Events and presentations: earnings calls, investor days, conference presentations and annual
meetings, with their webcasts, decks, replays and calendar files, embargoed like releases.

Built on what releases already trust, reused rather than copied: the stored status and editor's
states (`releases.models.Status`, `State`), the publication rule's shape (`EventQuerySet.public`
beside `ReleaseQuerySet.public`, both asking `irsite.clock`), the declared workflow
(`releases.actions.Transition`), the site-wide HTTP layer (page cache, purges, the schedule
registry, file responses). See docs/events.md.
"""
