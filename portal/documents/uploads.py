"""An upload handler that keeps at most `limit + 1` bytes of each file part it accepts.

Django's default handlers spool any size to a temporary file; this one stores nothing beyond
the limit (it only counts), skips file parts it was not asked for, and takes at most
`max_files`, so it bounds memory and disk per request. The API takes one part named `file`; the
pages take one part per requirement, named `<prefix><requirement code>`.
"""

from __future__ import annotations

from io import BytesIO
from typing import Any

from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile

FIELD_NAME = "file"


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
