"""The table of formats: file suffix -> extractor module, and the one ``extract`` entry point."""

from __future__ import annotations

import importlib
from pathlib import Path

from models.errors import UnsupportedFormat
from models.raw import RawDocument
from models.settings import Limits

# suffix -> (module under extractors/, format name recorded in the record)
FORMATS: dict[str, tuple[str, str]] = {
    ".docx": ("extractors.docx", "docx"),
    ".docm": ("extractors.docx", "docx"),
    ".doc": ("extractors.convert", "doc"),
    ".rtf": ("extractors.convert", "rtf"),
    ".odt": ("extractors.convert", "odt"),
    ".pdf": ("extractors.pdf", "pdf"),
}


def supported_suffixes() -> list[str]:
    return sorted(FORMATS)


def extract(path: Path, limits: Limits | None = None) -> RawDocument:
    """Read a file with the extractor for its suffix; raises UnreadableFile (a subclass) when it cannot."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise UnsupportedFormat(
            f"{path.name}: '{suffix or 'no extension'}' is not an audit return format maap reads "
            f"(it reads {', '.join(supported_suffixes())}); ask the agency to send Word or PDF"
        )
    module_name, _ = FORMATS[suffix]
    module = importlib.import_module(module_name)
    return module.extract(path, limits or Limits())
