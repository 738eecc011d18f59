"""``/api/v1/``: the first version of the public JSON API (see `api` and docs/api.md).

`site` binds the nouns' routers (`releases`; events, results and filings add a module each)
into one NinjaAPI; `responses` (the page cache, HEAD), `errors` (one JSON error body),
`params` (each query value's parser) and `cursors` (keyset pagination) are what they share.
"""
