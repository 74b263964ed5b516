"""Content controls and form fields in WordprocessingML: what they hold, and which of their text is an answer.

Content controls (``w:sdt``): their tags and aliases, a placeholder showing, ``w14:checkbox`` state (or the
glyph shown when no state is recorded). Legacy form fields (``w:fldChar`` with ``w:ffData``): FORMCHECKBOX
states, FORMDROPDOWN selections, FORMTEXT results; field codes are hidden; page-number fields in page
headers and footers are dropped; a result that is only Word's prompt text is a placeholder.

``ControlsAndFields`` is part of the body walk (extractors.docx._Reader): it needs the walk's ``fields``,
``field_hides``, ``page_fields``, ``add`` and ``inline``.
"""

from __future__ import annotations

from lxml import etree

from extractors.docx_parts import TRUE, W_NS
from models.raw import Block, Checkbox, Location, Paragraph

W14_NS = "http://schemas.microsoft.com/office/word/2010/wordml"


def _w(name: str) -> str:
    return "{%s}%s" % (W_NS, name)


VAL, SDT_PR, SDT_CONTENT = _w("val"), _w("sdtPr"), _w("sdtContent")
W14_CHECKBOX, W14_CHECKED, W14_VAL = ("{%s}%s" % (W14_NS, n) for n in ("checkbox", "checked", "val"))
WORD_PROMPTS = {"Click or tap here to enter text.", "Click here to enter text.", "Choose an item.",
                 "Click or tap to enter a date.", "Click here to enter a date."}
TICKED = ("☒", "☑", "✓", "✔", "✗", "✘")

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


class ControlsAndFields:
    """The body walk's handling of content controls and legacy form fields (mixed into extractors.docx._Reader)."""

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
        line.placeholder |= placeholder
        content = sdt.find(SDT_CONTENT)
        if content is None:
            return
        line.hide += hidden
        self.inline(content, line)
        line.hide -= hidden

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
            del line.parts[start:]
            line.length -= len(result)
            line.placeholder = True
