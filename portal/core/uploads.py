"""An upload handler that keeps at most `limit + 1` bytes of each file part it accepts.

Django's default handlers spool any size to a temporary file; this one stores nothing beyond
the limit (it only counts), skips file parts it was not asked for, and takes at most
`max_files`, so it bounds memory and disk per request. The API takes one part named `file`; the
pages take one part per requirement, named `<prefix><requirement code>`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from io import BytesIO
from typing import Any, TypeVar, cast

from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import HttpRequest
from django.views.decorators.csrf import csrf_exempt, csrf_protect

FIELD_NAME = "file"
V = TypeVar("V", bound=Callable[..., Any])


class BoundedUploadHandler(FileUploadHandler):
    def __init__(self, request: Any = None, *, limit: int, prefix: str | None = None, max_files: int = 1) -> None:
        super().__init__(request)
        self.limit = limit
        self.prefix = prefix
        self.max_files = max_files
        self.accepted = 0
        self.buffer = BytesIO()
        self.received = 0

    def _wanted(self, field_name: str) -> bool:
        return field_name.startswith(self.prefix) if self.prefix is not None else field_name == FIELD_NAME

    def new_file(self, field_name: str, *args: Any, **kwargs: Any) -> None:
        super().new_file(field_name, *args, **kwargs)
        if not self._wanted(field_name) or self.accepted >= self.max_files:
            raise SkipFile()
        self.accepted += 1
        self.buffer = BytesIO()
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        self.received += len(raw_data)
        room = self.limit + 1 - self.buffer.tell()
        if room > 0:
            self.buffer.write(raw_data[:room])

    def file_complete(self, file_size: int) -> InMemoryUploadedFile:
        self.buffer.seek(0)
        return InMemoryUploadedFile(
            file=self.buffer,
            field_name=self.field_name,
            name=self.file_name,
            content_type=self.content_type,
            size=self.received,  # the real size; the buffer holds at most limit + 1 bytes of it
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )


def bounded_uploads(*, limit: Callable[[], int], prefix: str | None = None, max_files: int = 1) -> Callable[[V], V]:
    """Decorate a page view that takes files: bound what a post may cost before anything reads its body.

    The handler must be installed before the CSRF check reads the body, so the view is wrapped in
    csrf_protect inside and the outer wrapper is exempt (the check still runs, just later).
    `limit` is called per request, so a setting changed in a test applies.
    """

    def decorate(view: V) -> V:
        protected = csrf_protect(view)

        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            if request.method == "POST":
                request.upload_handlers = [
                    BoundedUploadHandler(request, limit=limit(), prefix=prefix, max_files=max_files)
                ]
            return protected(request, *args, **kwargs)

        return cast(V, csrf_exempt(wrapper))

    return decorate
