"""Background tasks of releases (django-tasks, database backend): front-cache purges."""

from django_tasks import task


@task()
def purge_edge(
    keys: list[str] | None = None, release_id: int | None = None, attempt: int = 1
) -> str:
    """Purge the front cache: ``keys``, or what a change of release ``release_id`` shows on."""
    from .edge import run_purge

    return run_purge(keys, release_id, attempt)
