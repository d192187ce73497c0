"""HTML to PDF with WeasyPrint, with the project's static files (fonts) reachable."""

from __future__ import annotations

from django.conf import settings


def html_to_pdf(html: str) -> bytes:
    """Render an HTML document to PDF bytes; relative URLs resolve in ``static/``."""
    from weasyprint import HTML  # imported here: it loads Pango, slow to start

    base_url = str(settings.BASE_DIR / "static") + "/"
    return HTML(string=html, base_url=base_url).write_pdf()
