"""Content controls and form fields in WordprocessingML: what they hold, and which of their text is an answer.

Content controls (``w:sdt``): their tags and aliases, a placeholder showing, ``w14:checkbox`` state (or the
glyph shown when no state is recorded); a control bound to custom XML (``w:dataBinding``) that shows nothing
gives the value its data store holds (Word shows that value when it opens the file); a control whose text is
still its glossary placeholder (``w:placeholder/w:docPart``) is a placeholder even when ``w:showingPlcHdr`` was
lost. Legacy form fields (``w:fldChar`` with ``w:ffData``): FORMCHECKBOX
states, FORMDROPDOWN selections, FORMTEXT results; field codes are hidden; page-number fields in page
headers and footers are dropped; a result that is only Word's prompt text is a placeholder.

``ControlsAndFields`` is part of the body walk (extractors.docx._Reader): it needs the walk's ``fields``,
``field_hides``, ``page_fields``, ``add`` and ``inline``.
"""

from __future__ import annotations

import re

from lxml import etree

from extractors.docx_parts import TRUE, W_NS
from extractors.package import Package
from models.raw import Block, Checkbox, Location, Paragraph, Table

W14_NS = "http://schemas.microsoft.com/office/word/2010/wordml"


def _w(name: str) -> str:
    return "{%s}%s" % (W_NS, name)


VAL, SDT_PR, SDT_CONTENT = _w("val"), _w("sdtPr"), _w("sdtContent")
W14_CHECKBOX, W14_CHECKED, W14_VAL = ("{%s}%s" % (W14_NS, n) for n in ("checkbox", "checked", "val"))
WORD_PROMPTS = {"Click or tap here to enter text.", "Click here to enter text.", "Choose an item.",
                 "Click or tap to enter a date.", "Click here to enter a date."}
TICKED = ("☒", "☑", "✓", "✔", "✗", "✘")

DATA_BINDING, PLACEHOLDER, DOC_PART = _w("dataBinding"), _w("placeholder"), _w("docPart")
_DS_ITEM = "{http://schemas.openxmlformats.org/officeDocument/2006/customXml}itemID"
# Stores Word binds cover-page controls to that are package parts, not customXml items.
_BUILT_IN_STORES = {"{6C3C8BC8-F283-45AE-878A-BAB7291924A1}": "docProps/core.xml",
                    "{6668398D-A668-4E3E-A5EB-62B293D839F1}": "docProps/app.xml"}
# Only the plain location paths Word writes ('/ns0:root[1]/ns0:name[1]', '/x/@attr'): a file's own XPath
# is never evaluated beyond that (no functions, no predicates but positions).
_SIMPLE_XPATH = re.compile(r"(?:/(?:[A-Za-z_][\w.-]*:)?[A-Za-z_][\w.-]*(?:\[\d{1,4}\])?)+(?:/@(?:[A-Za-z_][\w.-]*:)?[\w.-]+)?")
_PREFIX_MAPPING = re.compile(r"""xmlns:([A-Za-z_][\w.-]*)\s*=\s*['"]([^'"]*)['"]""")

# Fields a page header or footer numbers its pages with; their results are not content.
PAGE_FIELDS = {"PAGE", "NUMPAGES", "SECTIONPAGES", "SECTION"}


def page_field(instr: str | None) -> bool:
    """Whether a field code (' PAGE \\* MERGEFORMAT ') numbers pages."""
    words = (instr or "").split()
    return bool(words) and words[0].upper() in PAGE_FIELDS


def int_val(el: etree._Element | None, default: int) -> int:
    """An integer w:val; a missing or damaged one gives the default rather than failing the whole file."""
    try:
        return int(el.get(VAL)) if el is not None else default
    except (TypeError, ValueError):
        return default


def on(el: etree._Element | None, attr: str = VAL) -> bool:
    """An on/off property: present with no value means on (older Word writes ``<w:checked/>``)."""
    if el is None:
        return False
    value = el.get(attr)
    return value is None or value.lower() in TRUE


def dropdown_value(drop) -> str:
    """The selected entry of a legacy drop-down (``w:result``, else ``w:default``, else the first); '' if none."""
    entries = [e.get(VAL, "") for e in drop.findall(_w("listEntry"))]
    chosen = drop.find(_w("result"))
    if chosen is None:
        chosen = drop.find(_w("default"))
    index = int_val(chosen, 0)
    return entries[index] if 0 <= index < len(entries) else ""


def _text(blocks: list[Block]) -> str:
    """All the text of blocks (tables included), for comparing a control's content with its placeholder."""
    out = []
    for block in blocks:
        if isinstance(block, Table):
            out += [_text(cell.blocks) for row in block.rows for cell in row.cells]
        else:
            out.append(block.text)
    return " ".join(t for t in out if t)


class DataStores:
    """The custom XML parts of a package by store item id, and the values bound controls read from them."""

    def __init__(self, package: Package):
        self.package = package
        self.stores: dict[str, str] = dict(_BUILT_IN_STORES)
        for part in package.parts:
            if part.startswith("customXml/item") and "itemProps" not in part and part.endswith(".xml"):
                for _type, target in package.relationships(part).values():
                    props = package.parse(target) if "itemProps" in target else None
                    if props is not None and props.get(_DS_ITEM):
                        self.stores[props.get(_DS_ITEM).upper()] = part

    def value(self, binding) -> str | None:
        """The text at a w:dataBinding's XPath in its store (every store when it names none), or None."""
        xpath = (binding.get(_w("xpath")) or "").strip()
        if not _SIMPLE_XPATH.fullmatch(xpath):
            return None
        namespaces = dict(_PREFIX_MAPPING.findall(binding.get(_w("prefixMappings")) or ""))
        store = (binding.get(_w("storeItemID")) or "").upper()
        parts = [self.stores[store]] if store in self.stores else list(dict.fromkeys(self.stores.values()))
        for part in parts:
            root = self.package.parse(part)
            if root is None:
                continue
            try:
                found = root.getroottree().xpath(xpath, namespaces=namespaces)
            except (etree.XPathError, TypeError, ValueError):
                return None
            if found:
                first = found[0]
                text = "".join(first.itertext()) if isinstance(first, etree._Element) else str(first)
                return text.strip() or None
        return None


def glossary_texts(package: Package, main: str) -> dict[str, str]:
    """Building block name -> its text, from the glossary document (where Word keeps controls' placeholders)."""
    for rel_type, target in package.relationships(main).values():
        if rel_type.endswith("/glossaryDocument"):
            root = package.parse(target)
            if root is None:
                return {}
            out = {}
            for part in root.iter(DOC_PART):
                name = part.find(f"{_w('docPartPr')}/{_w('name')}")
                body = part.find(_w("docPartBody"))
                if name is not None and body is not None:
                    out[name.get(VAL, "")] = " ".join("".join(t.text or "" for t in body.iter(_w("t"))).split())
            return out
    return {}


class ControlsAndFields:
    """The body walk's handling of content controls and legacy form fields (mixed into extractors.docx._Reader)."""

    package: Package | None
    part: str
    _stores: DataStores | None = None
    _glossary: dict[str, str] | None = None

    def bound_value(self, sdt) -> str | None:
        """What a control bound to custom XML holds in its data store, or None when it is not bound."""
        pr = sdt.find(SDT_PR)
        binding = pr.find(DATA_BINDING) if pr is not None else None
        if binding is None or self.package is None:
            return None
        if self._stores is None:
            self._stores = DataStores(self.package)
        return self._stores.value(binding)

    def still_placeholder(self, sdt, text: str) -> bool:
        """Whether a control's text is its own placeholder building block (``w:showingPlcHdr`` lost on the way)."""
        pr = sdt.find(SDT_PR)
        part = pr.find(f"{PLACEHOLDER}/{DOC_PART}") if pr is not None else None
        if part is None or not text.strip() or self.package is None:
            return False
        if self._glossary is None:
            self._glossary = glossary_texts(self.package, self.part)
        wanted = self._glossary.get(part.get(VAL, ""))
        return bool(wanted) and " ".join(text.split()) == wanted

    def control_blocks(self, sdt, blocks: list[Block], showing_placeholder: bool, loc: Location,
                       tags: list[str]) -> list[Block]:
        """A block-level control's blocks, with its bound value when it shows nothing, or as a placeholder when
        its text is only its placeholder."""
        text = _text(blocks)
        if showing_placeholder or not text:
            value = self.bound_value(sdt)
            if value:
                where = next((b.location for b in blocks if isinstance(b, Paragraph)), loc)
                return [Paragraph(text=value, tags=tags, location=where)]
        elif self.still_placeholder(sdt, text):
            where = next((b.location for b in blocks if isinstance(b, Paragraph)), loc)
            return [Paragraph(text="", tags=tags, placeholder=True, location=where)]
        return blocks

    def attach_box(self, blocks: list[Block], checked: bool, loc: Location, tags: list[str]) -> None:
        """A checkbox control wrapped around whole paragraphs belongs to the first of them."""
        box = Checkbox(checked=checked, kind="content_control")
        for block in blocks:
            if isinstance(block, Paragraph):
                block.checkboxes.insert(0, box)
                return
        blocks.insert(0, Paragraph(text="", tags=tags, checkboxes=[box], location=loc))

    def sdt_props(self, sdt) -> tuple[list[str], bool, bool | None]:
        """(tags and aliases, showing placeholder, checkbox state or None) of a content control."""
        pr = sdt.find(SDT_PR)
        if pr is None:
            return [], False, None
        tags: list[str] = []
        for name in ("tag", "alias"):
            el = pr.find(_w(name))
            value = el.get(VAL) if el is not None else None
            if value and value not in tags:
                tags.append(value)
        placeholder = on(pr.find(_w("showingPlcHdr")))
        box = pr.find(W14_CHECKBOX)
        if box is None:
            return tags, placeholder, None
        state = box.find(W14_CHECKED)
        if state is not None:
            return tags, False, on(state, W14_VAL)
        # No recorded state: the glyph the control shows is the state the user saw.
        content = sdt.find(SDT_CONTENT)
        shown = "".join(content.itertext()) if content is not None else ""
        return tags, False, any(g in shown for g in TICKED)

    def inline_sdt(self, sdt, line) -> None:
        """A content control inside a paragraph: its tags, checkbox and placeholder go on the line, its text in it."""
        tags, placeholder, box = self.sdt_props(sdt)
        line.tags += [t for t in tags if t not in line.tags]
        hidden = box is not None or placeholder
        if box is not None:
            line.boxes.append((line.length, box, "content_control"))
        content = sdt.find(SDT_CONTENT)
        start, first = line.length, len(line.parts)
        if content is not None:
            line.hide += hidden
            self.inline(content, line)
            line.hide -= hidden
        if box is None and (placeholder or line.length == start):
            value = self.bound_value(sdt) if sdt.find(SDT_PR) is not None else None
            if value:
                self.add(line, value)
                return
        elif box is None and self.still_placeholder(sdt, "".join(line.parts[first:])):
            self.cut(line, start, first)
            placeholder = True
        line.placeholder |= placeholder

    @staticmethod
    def cut(line, start: int, first: int) -> None:
        """Take the text read since ``start`` (``first`` parts ago) back off the line, with its spans."""
        del line.parts[first:]
        line.length = start
        line.spans = [[a, min(b, start), st, d] for a, b, st, d in line.spans if a < start]

    def field_char(self, fld, line) -> None:
        """Legacy form fields: begin carries the form data; text between separate and end is the result."""
        kind = fld.get(_w("fldCharType"))
        if kind == "begin":
            hide_result = False
            ff = fld.find(_w("ffData"))
            if ff is not None:
                box = ff.find(_w("checkBox"))
                if box is not None:
                    checked = box.find(_w("checked"))
                    state = on(checked) if checked is not None else on(box.find(_w("default")))
                    if not self.field_hides:
                        line.boxes.append((line.length, state, "legacy_field"))
                drop = ff.find(_w("ddList"))
                if drop is not None:
                    self.add(line, dropdown_value(drop))
                    hide_result = True  # the selection is given once, whatever result runs follow
            self.fields.append([True, hide_result, None, ""])
        elif kind == "separate" and self.fields:
            self.fields[-1][0] = False
            self.fields[-1][2] = (line, len(line.parts))
            if self.page_fields and page_field(self.fields[-1][3]):
                self.fields[-1][1] = True
                line.page_field = True
        elif kind == "end" and self.fields:
            _, _, start, _ = self.fields.pop()
            if start is not None and start[0] is line:
                self.drop_placeholder_result(line, start[1])
        self.field_hides = any(code or hidden for code, hidden, _, _ in self.fields)

    @staticmethod
    def drop_placeholder_result(line, start: int) -> None:
        """A field whose result is Word's own prompt text is an unanswered control, not an answer."""
        # LibreOffice turns Word content controls into FILLIN fields and keeps the prompt as the result.
        result = "".join(line.parts[start:])
        if result.strip() in WORD_PROMPTS:
            ControlsAndFields.cut(line, line.length - len(result), start)
            line.placeholder = True
