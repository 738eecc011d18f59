"""Storages for tests that need one failing as a real one fails: configured through
``settings.STORAGES`` like production's, never a patched Django internal."""

import errno
import os
from datetime import datetime

from django.core.files.base import File
from django.core.files.storage import FileSystemStorage


class FailingDiskStorage(FileSystemStorage):
    """The local storage on a disk that fails every read with an I/O error (``EIO``, as a
    failing disk or a flaky network mount does): the file is there, the storage cannot give
    it. Writes still succeed, so whatever is made from what could not be read would be kept."""

    def _fail(self, name: str) -> OSError:
        return OSError(errno.EIO, os.strerror(errno.EIO), name)

    def _open(self, name: str, mode: str = "rb") -> File:
        raise self._fail(name)

    def size(self, name: str) -> int:
        raise self._fail(name)

    def get_modified_time(self, name: str) -> datetime:
        raise self._fail(name)


FAILING_DISK = "tests.storages.FailingDiskStorage"
