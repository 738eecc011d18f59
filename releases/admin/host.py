"""What the view mixins of `ReleaseAdmin` (`WorkflowViews`, `CorrectionViews`, `ToolViews`) use
of it: a `ModelAdmin` of releases with `_release` and `_change_url`. Stated for the type
checker only; at run time the mixins' base is `object` and `ReleaseAdmin` provides all of it."""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

    from django.contrib import admin
    from django.http import HttpRequest

    from ..models import Release

    class ReleaseAdminHost(admin.ModelAdmin[Release]):
        def _release(self, request: HttpRequest, pk: int) -> Release: ...
        def _change_url(self, release: Release) -> str: ...
        def file_url(self, release: Release) -> Callable[[str], str]: ...

else:
    ReleaseAdminHost = object
