"""The table of formats: file suffix -> extractor module, and the one ``extract`` entry point.

The reader is chosen by what the file is (its signature, ``extractors.sniff``), not by its name: a Word
document named ``.pdf`` is read as Word, and the RawDocument says what the name claimed (``named_as``).
"""

from __future__ import annotations

import importlib
import shutil
import tempfile
from pathlib import Path

from extractors.sniff import NOT_READ, sniff
from models.errors import UnreadableFile, UnsupportedFormat
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
_MB = 1024 * 1024


def supported_suffixes() -> list[str]:
    return sorted(FORMATS)


def real_type(path: Path, limits: Limits) -> str | None:
    """The suffix of the file's real type (see extractors.sniff), or None when unknown or too big to sniff."""
    if path.stat().st_size > limits.max_file_mb * _MB:
        return None  # the named reader refuses it with the size limit's own message
    return sniff(path)


def extract(path: Path, limits: Limits | None = None) -> RawDocument:
    """Read a file with the extractor for its real type; raises UnreadableFile (a subclass) when it cannot.

    A file whose content matches no known signature goes to the reader its suffix names (which says what is
    wrong with it); with no such reader it is refused as not a format maap reads.
    """
    path = Path(path)
    limits = limits or Limits()
    named = path.suffix.lower()
    real = real_type(path, limits)
    if real in NOT_READ:
        said = f" with a '{named}' name" if named and named != real else ""
        what, todo = NOT_READ[real]
        raise UnsupportedFormat(
            f"{path.name}: this is {what}{said}, not an audit return maap reads (it reads Word, PDF, RTF and "
            f"OpenDocument text); {todo}"
        )
    if real is None or real not in FORMATS:
        if named in FORMATS:
            return _read(path, named, limits)
        raise UnsupportedFormat(
            f"{path.name}: '{named or 'no extension'}' is not an audit return format maap reads "
            f"(it reads {', '.join(supported_suffixes())}); ask the agency to send Word or PDF"
        )
    if named in FORMATS and FORMATS[named] == FORMATS[real]:
        return _read(path, named, limits)
    return _read_as(path, real, limits).model_copy(update={"named_as": named or "no extension"})


def _read(path: Path, suffix: str, limits: Limits) -> RawDocument:
    module_name, _ = FORMATS[suffix]
    return importlib.import_module(module_name).extract(path, limits)


def _read_as(path: Path, real: str, limits: Limits) -> RawDocument:
    """Read a copy of the file under a name with its real suffix; the document and errors keep the real name."""
    with tempfile.TemporaryDirectory(prefix="maap-sniffed-") as tmp:
        copy = Path(tmp) / (path.name + real)
        shutil.copyfile(path, copy)
        try:
            raw = _read(copy, real, limits)
        except UnreadableFile as e:
            raise type(e)(str(e).replace(copy.name, path.name), code=e.code) from e
    return raw.model_copy(update={"file": path.name})
