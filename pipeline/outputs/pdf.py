"""HTML pages to PDF with WeasyPrint: the report's and the audit-day pack's printable copies.

The one module that imports WeasyPrint. Pages must be self-contained (inline CSS and SVG): WeasyPrint is given a
URL fetcher that refuses every URL but ``data:``, so a page can never make a network request while it is printed.
"""

from __future__ import annotations

from pathlib import Path

from models.errors import MissingTool


def write_pdf(html: str, path: Path) -> Path:
    """Print ``html`` to a PDF at ``path`` (written atomically) and return the path."""
    try:
        from weasyprint import HTML
        from weasyprint.urls import URLFetcher
    except (ImportError, OSError) as e:  # OSError: the Pango libraries WeasyPrint loads are missing
        raise MissingTool(f"WeasyPrint cannot run ({e}): run `bash .ci/setup` to install it and its system "
                          "libraries (Pango)") from e
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    HTML(string=html, url_fetcher=URLFetcher(allowed_protocols=["data"])).write_pdf(tmp)
    tmp.replace(path)
    return path
