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

# One spelling per path, before the hash and the keys: the app decodes every percent-encoding
# of a path (the WSGI server does), so `/news/…/%77d-x/`, `/news/…/wd-x%2F` and `/news/…/wd-x/`
# are one release to it. Were they three objects here, a purge by the path would reach one of
# them and the others would outlive a withdrawal or a correction for the whole s-maxage (and a
# spelling cached as 404 before a go-live would stay 404 after it). So the path's hex digits
# are upper-cased and the unreserved characters (RFC 3986 §2.3: letters, digits, -._~) and "/"
# decoded: every spelling the app reads as one path is one object, under one key. The query
# string is left as it is (its objects carry the path's key; a purge by path reaches them).
# Two spellings the app servers (gunicorn, granian) read in their own way come first: a fragment
# ("#..."), which they drop, is dropped here too; and a "%" not followed by two hex digits,
# which they keep as a literal "%", is written "%25", the same path to them. Without the latter
# "%%37%37d-x" became "%77d-x" below (the "%7" decoded after "%77" was looked for), which the
# app reads as "wd-x": the release, in an object under a key no purge names. With every "%"
# the start of a triplet, decoding one triplet cannot make another, so the passes below
# decode each triplet once, as the app does, whatever their order.
sub irsite_normalise_path {
    set req.url = regsub(req.url, "#.*$", "");
    set req.http.x-query = regsub(req.url, "^[^?]*", "");
    set req.http.x-path = regsub(req.url, "\?.*$", "");
    set req.http.x-path = regsuball(req.http.x-path, "%(?![0-9A-Fa-f]{2})", "%25");
    set req.http.x-path = regsuball(req.http.x-path, "%([0-9A-Fa-f])a", "%\1A");
    set req.http.x-path = regsuball(req.http.x-path, "%([0-9A-Fa-f])b", "%\1B");
    set req.http.x-path = regsuball(req.http.x-path, "%([0-9A-Fa-f])c", "%\1C");
    set req.http.x-path = regsuball(req.http.x-path, "%([0-9A-Fa-f])d", "%\1D");
    set req.http.x-path = regsuball(req.http.x-path, "%([0-9A-Fa-f])e", "%\1E");
    set req.http.x-path = regsuball(req.http.x-path, "%([0-9A-Fa-f])f", "%\1F");
    set req.http.x-path = regsuball(req.http.x-path, "%a([0-9A-F])", "%A\1");
    set req.http.x-path = regsuball(req.http.x-path, "%b([0-9A-F])", "%B\1");
    set req.http.x-path = regsuball(req.http.x-path, "%c([0-9A-F])", "%C\1");
    set req.http.x-path = regsuball(req.http.x-path, "%d([0-9A-F])", "%D\1");
    set req.http.x-path = regsuball(req.http.x-path, "%e([0-9A-F])", "%E\1");
    set req.http.x-path = regsuball(req.http.x-path, "%f([0-9A-F])", "%F\1");
    set req.http.x-path = regsuball(req.http.x-path, "%41", "A");
    set req.http.x-path = regsuball(req.http.x-path, "%42", "B");
    set req.http.x-path = regsuball(req.http.x-path, "%43", "C");
    set req.http.x-path = regsuball(req.http.x-path, "%44", "D");
    set req.http.x-path = regsuball(req.http.x-path, "%45", "E");
    set req.http.x-path = regsuball(req.http.x-path, "%46", "F");
    set req.http.x-path = regsuball(req.http.x-path, "%47", "G");
    set req.http.x-path = regsuball(req.http.x-path, "%48", "H");
    set req.http.x-path = regsuball(req.http.x-path, "%49", "I");
    set req.http.x-path = regsuball(req.http.x-path, "%4A", "J");
    set req.http.x-path = regsuball(req.http.x-path, "%4B", "K");
    set req.http.x-path = regsuball(req.http.x-path, "%4C", "L");
    set req.http.x-path = regsuball(req.http.x-path, "%4D", "M");
    set req.http.x-path = regsuball(req.http.x-path, "%4E", "N");
    set req.http.x-path = regsuball(req.http.x-path, "%4F", "O");
    set req.http.x-path = regsuball(req.http.x-path, "%50", "P");
    set req.http.x-path = regsuball(req.http.x-path, "%51", "Q");
    set req.http.x-path = regsuball(req.http.x-path, "%52", "R");
    set req.http.x-path = regsuball(req.http.x-path, "%53", "S");
    set req.http.x-path = regsuball(req.http.x-path, "%54", "T");
    set req.http.x-path = regsuball(req.http.x-path, "%55", "U");
    set req.http.x-path = regsuball(req.http.x-path, "%56", "V");
    set req.http.x-path = regsuball(req.http.x-path, "%57", "W");
    set req.http.x-path = regsuball(req.http.x-path, "%58", "X");
    set req.http.x-path = regsuball(req.http.x-path, "%59", "Y");
    set req.http.x-path = regsuball(req.http.x-path, "%5A", "Z");
    set req.http.x-path = regsuball(req.http.x-path, "%61", "a");
    set req.http.x-path = regsuball(req.http.x-path, "%62", "b");
    set req.http.x-path = regsuball(req.http.x-path, "%63", "c");
    set req.http.x-path = regsuball(req.http.x-path, "%64", "d");
    set req.http.x-path = regsuball(req.http.x-path, "%65", "e");
    set req.http.x-path = regsuball(req.http.x-path, "%66", "f");
    set req.http.x-path = regsuball(req.http.x-path, "%67", "g");
    set req.http.x-path = regsuball(req.http.x-path, "%68", "h");
    set req.http.x-path = regsuball(req.http.x-path, "%69", "i");
    set req.http.x-path = regsuball(req.http.x-path, "%6A", "j");
    set req.http.x-path = regsuball(req.http.x-path, "%6B", "k");
    set req.http.x-path = regsuball(req.http.x-path, "%6C", "l");
    set req.http.x-path = regsuball(req.http.x-path, "%6D", "m");
    set req.http.x-path = regsuball(req.http.x-path, "%6E", "n");
    set req.http.x-path = regsuball(req.http.x-path, "%6F", "o");
    set req.http.x-path = regsuball(req.http.x-path, "%70", "p");
    set req.http.x-path = regsuball(req.http.x-path, "%71", "q");
    set req.http.x-path = regsuball(req.http.x-path, "%72", "r");
    set req.http.x-path = regsuball(req.http.x-path, "%73", "s");
    set req.http.x-path = regsuball(req.http.x-path, "%74", "t");
    set req.http.x-path = regsuball(req.http.x-path, "%75", "u");
    set req.http.x-path = regsuball(req.http.x-path, "%76", "v");
    set req.http.x-path = regsuball(req.http.x-path, "%77", "w");
    set req.http.x-path = regsuball(req.http.x-path, "%78", "x");
    set req.http.x-path = regsuball(req.http.x-path, "%79", "y");
    set req.http.x-path = regsuball(req.http.x-path, "%7A", "z");
    set req.http.x-path = regsuball(req.http.x-path, "%30", "0");
    set req.http.x-path = regsuball(req.http.x-path, "%31", "1");
    set req.http.x-path = regsuball(req.http.x-path, "%32", "2");
    set req.http.x-path = regsuball(req.http.x-path, "%33", "3");
    set req.http.x-path = regsuball(req.http.x-path, "%34", "4");
    set req.http.x-path = regsuball(req.http.x-path, "%35", "5");
    set req.http.x-path = regsuball(req.http.x-path, "%36", "6");
    set req.http.x-path = regsuball(req.http.x-path, "%37", "7");
    set req.http.x-path = regsuball(req.http.x-path, "%38", "8");
    set req.http.x-path = regsuball(req.http.x-path, "%39", "9");
    set req.http.x-path = regsuball(req.http.x-path, "%2D", "-");
    set req.http.x-path = regsuball(req.http.x-path, "%2E", ".");
    set req.http.x-path = regsuball(req.http.x-path, "%5F", "_");
    set req.http.x-path = regsuball(req.http.x-path, "%7E", "~");
    set req.http.x-path = regsuball(req.http.x-path, "%2F", "/");
    set req.url = req.http.x-path + req.http.x-query;
    unset req.http.x-path;
    unset req.http.x-query;
}

# One object per page whatever tracking a link carries: the parameters campaigns, ad clicks and
# newsletters add (utm_*, fbclid, gclid, mc_cid, mc_eid, ref; the list is the page cache's,
# irsite/http/pagecache.py) are dropped before the hash, and the rest put in one order, so a
# link shared on results day with them is the bare URL's object, not a fetch of its own. No
# view reads them (the app drops them too), so no answer differs by them.
sub irsite_drop_tracking {
    if (req.url ~ "[?&](utm_[^=&]*|fbclid|gclid|mc_cid|mc_eid|ref)(=|&|$)") {
        set req.url = regsuball(req.url,
            "([?&])(utm_[^=&]*|fbclid|gclid|mc_cid|mc_eid|ref)(=[^&]*)?(?=&|$)", "\1");
        set req.url = regsuball(req.url, "&&+", "&");
        set req.url = regsub(req.url, "\?&", "?");
        set req.url = regsub(req.url, "[?&]$", "");
    }
    set req.url = std.querysort(req.url);
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
    call irsite_normalise_path;
    call irsite_drop_tracking;
    # The admin, and anyone with a session (staff), always go to the app: their pages are
    # private. Other cookies (analytics) play no part in a public page, so they are dropped.
    if (req.url ~ "^/admin/" || req.http.Cookie ~ "(^|;\s*)sessionid=") {
        return (pass);
    }
    unset req.http.Cookie;
    unset req.http.Authorization;
    # Byte ranges are the app's to answer (irsite/http/files.py, `byte_range`), as
    # docs/deployment.md promises: one range a 206 (an end past the file cut at its end), an
    # unsatisfiable start a 416, and anything else (several ranges, a malformed header) the
    # whole file. Varnish's own range support answered 416 to several ranges and to an end past
    # the file, and fails (503) a passed request whose Range it cannot parse. So the header is
    # read here as the app reads it (unit "bytes" in any case; elements split at commas, each
    # stripped of spaces and tabs, empty ones skipped; leading zeros mean nothing), written in
    # the one form Varnish parses too, and passed with the request when it is one range, the
    # app's answer delivered as it came (vcl_deliver); any other Range is one the app ignores,
    # and is dropped here: the whole file, from the cache. (Numbers past 15 digits, which no
    # file reaches, count as malformed.) tests/test_front_cache.py compares both answers.
    if (req.http.Range) {
        set req.http.Range = regsub(req.http.Range, "(?i)^[ \t]*bytes[ \t]*=", "bytes=");
        set req.http.Range = regsuball(req.http.Range, "[ \t]*,[ \t]*", ",");
        set req.http.Range = regsub(req.http.Range, "^bytes=[ \t]+", "bytes=");
        set req.http.Range = regsub(req.http.Range, "[ \t]+$", "");
        set req.http.Range = regsuball(req.http.Range, ",,+", ",");
        set req.http.Range = regsub(req.http.Range, "^bytes=,", "bytes=");
        set req.http.Range = regsub(req.http.Range, ",$", "");
        set req.http.Range = regsuball(req.http.Range, "(=|-)0+(\d)", "\1\2");
        # The last zero bytes: unsatisfiable for the app (416), unreadable for Varnish (503).
        # A start past any file's end is the same 416 to the app, and Varnish reads it.
        set req.http.Range = regsub(req.http.Range, "^bytes=-0$", "bytes=999999999999999-");
    }
    if (req.http.Range ~ "^bytes=\d{1,15}-\d{1,15}$" && std.integer(
            regsub(req.http.Range, "^[^=]*=(\d+)-.*$", "\1"), 0) > std.integer(
            regsub(req.http.Range, "^.*-(\d+)$", "\1"), 0)) {
        unset req.http.Range;  # its end before its start: invalid, the app ignores it
    }
    if (req.http.Range ~ "^bytes=(\d{1,15}-\d{0,15}|-\d{1,15})$") {
        set req.http.x-range = "pass";
        return (pass);
    }
    unset req.http.Range;
    return (hash);
}

sub vcl_backend_response {
    # Surrogate-Key (Fastly's header, space-separated) is what xkey indexes.
    # ... and the path asked (no query string; one spelling, irsite_normalise_path), by which a
    # release's URL is purged.
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
    # A passed range request has the app's answer (206, 200 or 416) as it came.
    if (req.http.x-range) {
        unset req.http.Range;
        unset req.http.x-range;
    }
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
