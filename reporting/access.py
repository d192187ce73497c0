"""Who may read and write the report's records."""

from __future__ import annotations

# Who may read and who may write each kind of record of the app: (read, write)
# capabilities (composed in entractes.permissions.record_access).
RECORD_ACCESS = {
    "ReferenceFigure": ("reporting.view", "reporting.edit"),
    "NarrativeBlock": ("reporting.view", "reporting.edit"),
    "CheckAcceptance": ("reporting.edit", "reporting.edit"),
    "ReportRender": ("reporting.view", "reporting.edit"),
    "Publication": ("reporting.view", "reporting.publish"),
}
