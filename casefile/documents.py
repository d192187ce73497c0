"""Uploaded documents: what kinds of file are accepted, read from their first bytes, and
how an upload is received (in memory, never in clear in a temporary file)."""

from __future__ import annotations

import io
import unicodedata

from django.conf import settings
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile

from casefile.models import Document, size_label

# HEIF brands (ISO/IEC 23008-12) of the photos of phones: HEVC-coded, or any codec.
HEIC_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm", b"hevs"}
HEIF_BRANDS = {b"mif1", b"msf1"}
# The form's file field: the only part of a request kept by the upload handler.
FILE_FIELD = "file"


def sniff(head: bytes) -> str | None:
    """The type of a file from its first bytes (at least 12), or None when it is none of
    those accepted. Neither the file's name nor the browser's word is trusted."""
    if head.startswith(b"%PDF-"):
        return Document.Type.PDF
    if head.startswith(b"\xff\xd8\xff"):
        return Document.Type.JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return Document.Type.PNG
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return Document.Type.WEBP
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in HEIC_BRANDS:
            return Document.Type.HEIC
        if brand in HEIF_BRANDS:
            return Document.Type.HEIF
    return None


def max_bytes() -> int:
    return settings.DOCUMENT_MAX_BYTES


def max_size_label() -> str:
    """The limit as people read it (« 10 Mo »)."""
    return size_label(max_bytes())


def clean_name(name: str) -> str:
    """An uploaded file's name as kept: no folder, no control character, 200 characters."""
    name = name.replace("\\", "/").rpartition("/")[2]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C").strip()
    return name[-200:] or "document"


class DocumentUploadHandler(FileUploadHandler):
    """Receives the document of an upload in memory: a scan in clear never lands in a
    temporary file on disk. Bytes past the size limit are counted, not kept, so that
    the form says how large the file was; other files in the request are skipped."""

    def __init__(self, request=None):
        super().__init__(request)
        self.limit = max_bytes()
        self.kept_one = False

    def new_file(self, field_name, *args, **kwargs):
        if field_name != FILE_FIELD or self.kept_one:
            raise SkipFile
        super().new_file(field_name, *args, **kwargs)
        self.kept_one = True
        self.buffer = io.BytesIO()
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received <= self.limit:
            self.buffer.write(raw_data)
        return None

    def file_complete(self, file_size):
        self.buffer.seek(0)
        return InMemoryUploadedFile(
            file=self.buffer,
            field_name=self.field_name,
            name=self.file_name,
            content_type=self.content_type,
            size=self.received,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )
