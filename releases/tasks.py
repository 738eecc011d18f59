"""Background tasks of releases (django-tasks, database backend): the worker runs them."""

from django_tasks import task


@task()
def render_release_pdf(release_id: int) -> str:
    """Store the PDF rendition of a release just scheduled, published or corrected."""
    from .pdf import render_published  # WeasyPrint loads in the worker only

    return render_published(release_id)
