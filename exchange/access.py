"""Who may read and write the records of imports."""

from __future__ import annotations

# Who may read and who may write each kind of record of the app: (read, write)
# capabilities (composed in entractes.permissions.record_access).
RECORD_ACCESS = {
    "ExternalId": ("records.import", "records.import"),
    "ImportJob": ("records.import", "records.import"),
    "ExportJob": ("records.export", "records.export"),
}
