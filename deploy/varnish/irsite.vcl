vcl 4.1;
# irsite's front cache: Varnish 7 with varnish-modules' xkey (Debian: varnish, varnish-modules).
#
# irsite tells caches how long to keep every public response (s-maxage, the same whatever is
# scheduled) and which surrogate keys it carries (Surrogate-Key); its worker purges by key at
# each go-live, correction, withdrawal and company/contact/category change (irsite/http/frontcache.py,
# docs/deployment.md). Signed-in staff and the admin are never cached.
#
# `make front-cache` runs it locally: varnishd -f deploy/varnish/irsite.vcl with the backend
# given by -p / the BACKEND_* variables below (see the Makefile).

import std;
import xkey;

backend irsite {
    # Replaced by `make front-cache` (sed) and by the tests; a deployment edits it.
    .host = "127.0.0.1";
    .port = "8000";
    .connect_timeout = 2s;
    .first_byte_timeout = 60s;
}

# Who may purge: the worker's hosts. A deployment lists its app/worker servers here.
acl purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(403, "Forbidden"));
        }
        if (!req.http.xkey-purge) {
            return (synth(400, "xkey-purge header missing"));
        }
        # Hard purge: the objects are gone, not kept for grace. A release must never be served
        # from an object its change has made wrong.
        set req.http.n-gone = xkey.purge(req.http.xkey-purge);
        return (synth(200, "Purged " + req.http.n-gone));
    }
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    # The admin, and anyone with a session (staff), always go to the app: their pages are
    # private. Other cookies (analytics) play no part in a public page, so they are dropped.
    if (req.url ~ "^/admin/" || req.http.Cookie ~ "(^|;\s*)sessionid=") {
        return (pass);
    }
    unset req.http.Cookie;
    unset req.http.Authorization;
    return (hash);
}

sub vcl_backend_response {
    # Surrogate-Key (Fastly's header, space-separated) is what xkey indexes.
    # ... and the path asked (no query string), by which a release's URL is purged.
    if (beresp.http.Surrogate-Key) {
        set beresp.http.xkey = beresp.http.Surrogate-Key + " " + regsub(bereq.url, "\?.*$", "");
    }
    # What is not marked public (private, no-store, or no Cache-Control: e.g. a 500) is
    # never kept.
    if (beresp.http.Cache-Control !~ "public" || beresp.http.Set-Cookie) {
        set beresp.uncacheable = true;
        set beresp.ttl = 0s;
        return (deliver);
    }
    # A purge is the end of an object; grace only covers a slow backend between purges.
    set beresp.grace = 10s;
    return (deliver);
}

sub vcl_deliver {
    # The keys are for the cache, not for readers.
    unset resp.http.xkey;
    unset resp.http.Surrogate-Key;
    unset resp.http.Via;
    unset resp.http.X-Varnish;
    # Varnish's Age would count up to s-maxage: browsers revalidate anyway (max-age=0).
    unset resp.http.Age;
    if (obj.hits > 0) {
        set resp.http.X-Cache = "HIT";
    } else {
        set resp.http.X-Cache = "MISS";
    }
}
