"""What a Word run holds besides text: drawings and their text boxes, pictures and signatures, embedded objects,
equations and ruby.

Pictures and embedded objects leave a marker in the text ('[picture]', '[signature]', '[embedded object: ...]')
where they stand; equations and ruby are read as text. ``ObjectsInRuns`` is part of the body walk
(extractors.docx._Reader): it needs the walk's ``add``, ``inline``, ``blocks``, ``unknown``, ``page_fields`` and
``last_line``.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from lxml import etree

from extractors.docx_xml import _IGNORED, ALTERNATE, NS, _choose, _qname

if TYPE_CHECKING:
    from collections import Counter

    from extractors.docx_line import Line


def _w(name: str) -> str:
    return "{%s}%s" % (NS["w"], name)


T, TXBX = _w("t"), _w("txbxContent")
GRAPHIC_DATA = "{%s}graphicData" % NS["a"]
PIC, DOC_PR, IMAGEDATA = "{%s}pic" % NS["pic"], "{%s}docPr" % NS["wp"], "{%s}imagedata" % NS["v"]
OLE_OBJECT, RUBY, RT, RUBY_BASE = "{%s}OLEObject" % NS["o"], _w("ruby"), _w("rt"), _w("rubyBase")
M_MATH, M_MATH_PARA = "{%s}oMath" % NS["m"], "{%s}oMathPara" % NS["m"]
PICTURE, SIGNATURE = "[picture]", "[signature]"
# A picture labelled, named or described as a signature (or sitting just after such a label) is one.
_SIGNATURE = re.compile(r"\bsign(?:ed|ature|atory)\b", re.IGNORECASE)


class ObjectsInRuns:
    """The body walk's reading of drawings, pictures, embedded objects and ruby (mixed into extractors.docx._Reader)."""

    unknown: Counter[str]
    page_fields: bool
    last_line: Line | None

    def shape(self, el, line: Line) -> None:
        """Text boxes in a drawing or VML shape become blocks after the paragraph; a picture leaves a marker in
        the text; a shape with neither is counted."""
        boxes = list(_outer_textboxes(el))
        for box in boxes:
            line.extra += self.blocks(box, line.loc, line.tags, line.hide)
        if boxes:
            return
        graphic = next(el.iter(GRAPHIC_DATA), None)
        kind = graphic[0] if graphic is not None and len(graphic) else el
        if kind.tag == PIC or (kind is el and next(el.iter(IMAGEDATA), None) is not None):
            self.picture(el, line)
        else:
            self.unknown[_qname(kind)] += 1

    def picture(self, el, line: Line) -> None:
        """'[picture]' where a picture stands (counted as unknown: what it shows is not read), or '[signature]'
        when it is clearly one (named or described so, or just after a 'Signature' label), which is not counted.

        Pictures in page headers and footers are letterhead (logos, crests): neither marked nor counted.
        """
        if self.page_fields:
            return
        described = " ".join(filter(None, (
            *(d.get(a) for d in el.iter(DOC_PR) for a in ("name", "descr", "title")),
            *(d.get("{%s}title" % NS["o"]) for d in el.iter(IMAGEDATA)),
            "".join(line.parts)[-60:],
            "".join(self.last_line.parts)[-60:] if self.last_line is not None else "")))
        signature = bool(_SIGNATURE.search(described))
        self.marker(line, SIGNATURE if signature else PICTURE)
        if not signature:
            self.unknown[_qname(next(el.iter(PIC), el))] += 1

    def marker(self, line: Line, text: str) -> None:
        """A bracketed marker for something not text, spaced apart from the words around it."""
        before = " " if line.parts and not line.parts[-1][-1:].isspace() else ""
        self.add(line, f"{before}{text} ")

    def ole_object(self, el, line: Line) -> None:
        """An embedded object (a spreadsheet, an old equation, an ActiveX control): marked where it stands with
        its program, and counted, as its content is not read."""
        ole = next(el.iter(OLE_OBJECT), None)
        program = ole.get("ProgID") if ole is not None else None
        self.marker(line, f"[embedded object{': ' + program if program else ''}]")
        self.unknown["w:object"] += 1

    def ruby(self, el, line: Line) -> None:
        """Phonetic guide text (w:ruby): the base text, then the guide in brackets."""
        base = el.find(RUBY_BASE)
        if base is not None:
            self.inline(base, line)
        guide = el.find(RT)
        shown = "".join(t.text or "" for t in guide.iter(T)) if guide is not None else ""
        if shown.strip():
            self.add(line, f" ({shown.strip()})")


def math_text(el) -> str:
    """An equation (m:oMath) as one line of text: fractions as a/b, powers as a^b, subscripts as a_b, roots as √(a)."""
    parts = []
    for child in el:
        if not isinstance(child.tag, str):
            continue
        local = etree.QName(child).localname
        if local == "t":
            parts.append(child.text or "")
        elif local.endswith("Pr") or child.tag in _IGNORED:
            continue
        elif local == "f":
            num, den = (math_text(child.find("{%s}%s" % (NS["m"], n))) if child.find("{%s}%s" % (NS["m"], n))
                        is not None else "" for n in ("num", "den"))
            parts.append(f"{_grouped(num)}/{_grouped(den)}")
        elif local in ("sSup", "sSub"):
            base = child.find("{%s}e" % NS["m"])
            script = child.find("{%s}%s" % (NS["m"], "sup" if local == "sSup" else "sub"))
            parts.append(f"{math_text(base) if base is not None else ''}{'^' if local == 'sSup' else '_'}"
                         f"{_grouped(math_text(script) if script is not None else '')}")
        elif local == "rad":
            base = child.find("{%s}e" % NS["m"])
            parts.append(f"√{_grouped(math_text(base) if base is not None else '')}")
        else:
            parts.append(math_text(child))
    return "".join(parts)


def _grouped(text: str) -> str:
    return text if len(text) <= 1 or text.isalnum() else f"({text})"


def _outer_textboxes(el):
    """w:txbxContent elements under el, not descending into one (a box inside a box is read with its parent)."""
    for child in el:
        if child.tag == TXBX:
            yield child
        elif child.tag == ALTERNATE:
            yield from _outer_textboxes(_choose(child))
        else:
            yield from _outer_textboxes(child)
