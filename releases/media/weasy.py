"""The PDF renderer's own process: HTML on stdin, the PDF on stdout (``python -m
releases.media.weasy``), run by `releases.media.pdf.pdf_from_html` under a time limit.

A process of its own, because WeasyPrint cannot be stopped from outside once it has started:
a body or a letterhead that takes it minutes (a 1 MB address took 11) would hold the worker, or
an app-server thread, for as long; a process is killed at its limit, and its memory is capped
here too. It loads nothing but data: URLs (no file, no network, whatever the body says), and
imports no Django.
"""

import contextlib
import ctypes
import resource
import signal
import sys

# Address space for the renderer: a document that needs more fails instead of the machine.
MEMORY_LIMIT = 1536 * 1024 * 1024


def die_with_parent() -> None:
    """Linux: killed with the thread that started us (a worker killed, a request's server), so
    that no rendition runs on for nobody."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def main() -> int:
    die_with_parent()
    limit = int(sys.argv[1]) if len(sys.argv) > 1 else MEMORY_LIMIT
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    import weasyprint

    html = sys.stdin.buffer.read().decode()
    fetcher = weasyprint.URLFetcher(allowed_protocols={"data"}, allow_redirects=False)
    sys.stdout.buffer.write(weasyprint.HTML(string=html, url_fetcher=fetcher).write_pdf())
    return 0


if __name__ == "__main__":
    sys.exit(main())
