"""The SEC filings list (docs/filings.md): the issuer's filings from EDGAR's submissions JSON,
kept by the worker's poller and listed at `/filings/` with RSS feeds.

Direction (held by ``make lint``): models > actions > the poller, the public site and the admin;
`edgar` (the HTTP client and the strict reader) and `groups` know no model. Beside the events
app, above releases; releases never imports it.
"""
