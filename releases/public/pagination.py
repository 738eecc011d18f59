"""Page numbers without counting: the cost of `/news/?page=N` does not grow with the archive.

Django's `Paginator` counts every row to print "page 1 of 500" and to check a page number:
an index-only scan of every public release, on each list page, growing with the archive. Here
a page fetches one row more than it shows, which says whether an older page exists; a number
past the end is an empty page (404, as Django's paginator answers).
"""

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator

# SQLite and PostgreSQL take LIMIT/OFFSET as signed 64-bit integers: a page whose rows would lie
# past that holds none (and asking would be a database error, a 500).
LARGEST_OFFSET = 2**63 - 1


class UncountedPage(Page):
    def __init__(self, object_list, number: int, paginator: Paginator, has_next: bool) -> None:
        super().__init__(object_list, number, paginator)
        self._has_next = has_next

    def has_next(self) -> bool:
        return self._has_next

    def next_page_number(self) -> int:
        if not self._has_next:
            raise EmptyPage("That page contains no results")
        return self.number + 1

    def start_index(self) -> int:
        # Django's asks the paginator for the count, only to say 0 for an empty page.
        return (self.number - 1) * self.paginator.per_page + 1 if self.object_list else 0

    def end_index(self) -> int:
        return self.start_index() + len(self.object_list) - 1 if self.object_list else 0


class UncountedPaginator(Paginator):
    """`Paginator` for querysets whose size is never shown: no COUNT(*), ever."""

    def validate_number(self, number) -> int:
        try:
            if isinstance(number, float) and not number.is_integer():
                raise ValueError
            number = int(number)
        except (TypeError, ValueError) as error:
            raise PageNotAnInteger("That page number is not an integer") from error
        if number < 1:
            raise EmptyPage("That page number is less than 1")
        if number * self.per_page + 1 > LARGEST_OFFSET:
            raise EmptyPage("That page contains no results")
        return number

    def page(self, number) -> UncountedPage:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        rows = list(self.object_list[bottom : bottom + self.per_page + 1])
        if not rows and (number > 1 or not self.allow_empty_first_page):
            raise EmptyPage("That page contains no results")
        return UncountedPage(
            rows[: self.per_page], number, self, has_next=len(rows) > self.per_page
        )

    @property
    def count(self) -> int:
        raise NotImplementedError("UncountedPaginator does not count; see its docstring.")

    @property
    def num_pages(self) -> int:
        raise NotImplementedError("UncountedPaginator does not count; see its docstring.")
