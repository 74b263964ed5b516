"""The WordprocessingML names the Word body walk (extractors.docx) shares with the modules it is built from.

Namespaces and their prefixes, how an element is named in ``RawDocument.unknown``, which branch of
``mc:AlternateContent`` is read, the elements that hold no text, and two lookups over a package's parts.
"""

from __future__ import annotations

from lxml import etree

from extractors.docx_parts import W_NS
from extractors.package import Package

NS = {
    "w": W_NS,
    "w14": "http://schemas.microsoft.com/office/word/2010/wordml",
    "w15": "http://schemas.microsoft.com/office/word/2012/wordml",
    "mc": "http://schemas.openxmlformats.org/markup-compatibility/2006",
    "m": "http://schemas.openxmlformats.org/officeDocument/2006/math",
    "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "pic": "http://schemas.openxmlformats.org/drawingml/2006/picture",
    "c": "http://schemas.openxmlformats.org/drawingml/2006/chart",
    "wps": "http://schemas.microsoft.com/office/word/2010/wordprocessingShape",
    "wpg": "http://schemas.microsoft.com/office/word/2010/wordprocessingGroup",
    "v": "urn:schemas-microsoft-com:vml",
    "o": "urn:schemas-microsoft-com:office:office",
}
_PREFIX = {uri: prefix for prefix, uri in NS.items()}


def _w(name: str) -> str:
    return "{%s}%s" % (NS["w"], name)


ALTERNATE = "{%s}AlternateContent" % NS["mc"]
CHOICE, FALLBACK = "{%s}Choice" % NS["mc"], "{%s}Fallback" % NS["mc"]

# Formatting, markers and parts read elsewhere: nothing here is text.
_IGNORED = {_w(n) for n in (
    "pPr", "rPr", "sectPr", "tblPr", "tblGrid", "trPr", "tcPr", "tblPrEx", "sdtPr", "sdtEndPr",
    "bookmarkStart", "bookmarkEnd", "proofErr", "lastRenderedPageBreak", "permStart", "permEnd",
    "moveFromRangeStart", "moveFromRangeEnd", "moveToRangeStart", "moveToRangeEnd", "commentReference",
    "annotationRef", "instrText", "delText", "delInstrText", "softHyphen", "noProof", "fldData",
    "customXmlInsRangeStart", "customXmlInsRangeEnd", "customXmlDelRangeStart", "customXmlDelRangeEnd",
    "customXmlPr", "smartTagPr", "separator", "continuationSeparator", "footnoteRef", "endnoteRef",
    "footnoteReference", "endnoteReference",  # the notes themselves are read from their parts
)}


def _qname(el: etree._Element) -> str:
    """``prefix:local`` for an element, so unknown counts read like the XML."""
    if not isinstance(el.tag, str):
        return "comment"
    q = etree.QName(el)
    prefix = _PREFIX.get(q.namespace or "", q.namespace or "")
    return f"{prefix}:{q.localname}" if prefix else q.localname


def _choose(alternate) -> etree._Element:
    """The one branch of mc:AlternateContent to read: the Choice, else the Fallback (never both)."""
    branch = alternate.find(CHOICE)
    if branch is None:
        branch = alternate.find(FALLBACK)
    return branch if branch is not None else etree.Element("empty")


def _targets(package: Package, part: str, rels: dict[str, tuple[str, str]] | None = None) -> dict[str, str]:
    """Relationship type (last word: 'styles', 'comments'...) -> target part, for one part."""
    rels = package.relationships(part) if rels is None else rels
    return {rel_type.rsplit("/", 1)[-1]: target for rel_type, target in rels.values()}


def _revisions(root) -> int:
    return int(root.xpath("count(.//w:ins|.//w:del|.//w:moveFrom|.//w:moveTo)", namespaces=NS))
