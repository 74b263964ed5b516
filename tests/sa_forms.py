"""Write a Section 11 / Section 175 self-assessment .docx in code, filled in as an organisation would.

Ratings can be marked every way organisations mark them: typed words, a line of tick boxes, X in one of
Met / Partially met / Not met columns, a drop-down content control, or only the rating cell's fill colour.
Every organisation and person here is fictional.
"""

from __future__ import annotations

from pathlib import Path

import docx
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

from pipeline.templates.registry import load_templates

FILLS = {"met": "00B050", "partially_met": "FFC000", "not_met": "FF0000"}  # Word's standard green, amber, red


def shade(cell, fill: str) -> None:
    cell._tc.get_or_add_tcPr().append(parse_xml(f'<w:shd {nsdecls("w")} w:val="clear" w:color="auto" w:fill="{fill}"/>'))


def dropdown(cell, options: list[str], chosen: str, tag: str = "rating") -> None:
    """Replace the cell's content with a drop-down content control showing ``chosen``."""
    items = "".join(f'<w:listItem w:displayText="{o}" w:value="{o}"/>' for o in options)
    xml = (f'<w:sdt {nsdecls("w")}><w:sdtPr><w:tag w:val="{tag}"/><w:dropDownList>{items}</w:dropDownList></w:sdtPr>'
           f'<w:sdtContent><w:p><w:r><w:t>{chosen}</w:t></w:r></w:p></w:sdtContent></w:sdt>')
    tc = cell._tc
    for p in list(tc.findall(docx.oxml.ns.qn("w:p"))):
        tc.remove(p)
    tc.append(parse_xml(xml))


def write_self_assessment(path: Path, template_id: str, header: dict[str, str], period: str,
                          ratings: dict[str, str], marked: dict[str, str] | str = "typed",
                          evidence: dict[str, str] | None = None, actions: dict[str, str] | None = None) -> Path:
    """A filled return of a built-in self-assessment: header table, then per standard a heading and a table of
    sub-standard | evidence rows, the rating row and the actions row.

    ``ratings``: section id -> the option chosen (as printed, e.g. 'Partially met' or 'Amber'; '' for none);
    ``marked``: how each is marked ('typed', 'ticks', 'columns', 'dropdown', 'colour'), one for all or per id;
    ``evidence``: question id -> text (default: a sentence for every sub-standard of a rated standard).
    """
    from models.assessment import rating_level

    t = load_templates()[template_id]
    labels = {h.key: h.label for h in t.header}
    d = docx.Document()
    d.add_paragraph(t.titles[0], style="Title")
    table = d.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for key in ("agency", "auditor", "date_of_audit"):
        row = table.add_row().cells
        row[0].text, row[1].text = labels[key] + ":", header.get(key, "")
    for s in t.sections:
        d.add_paragraph(s.title, style="Heading 2")
        rating_q = next((q for q in s.questions if q.kind.value == "tick_list"), None)
        how = marked if isinstance(marked, str) else marked.get(s.id, "typed")
        chosen = ratings.get(s.id, "")
        cols = 4 if how == "columns" else 2
        table = d.add_table(rows=0, cols=cols)
        table.style = "Table Grid"
        for q in s.questions:
            if q is rating_q and how == "columns":
                head = table.add_row().cells
                head[0].text = "Rating"
                for i, o in enumerate(q.options, 1):
                    head[i].text = o
                row = table.add_row().cells
                row[0].text = ""
                for i, o in enumerate(q.options, 1):
                    row[i].text = "X" if o == chosen else ""
                continue
            row = table.add_row().cells
            if cols == 4:
                row = [row[0], row[1].merge(row[3])]
            if q.role == "period":
                row[0].text, row[1].text = q.wording, period
            elif q is rating_q:
                row[0].text = q.wording
                if how == "typed":
                    row[1].text = chosen
                elif how == "ticks":
                    row[1].text = " ".join(f"{'☒' if o == chosen else '☐'} {o}" for o in q.options)
                elif how == "dropdown":
                    dropdown(row[1], q.options, chosen or "Choose an item.")
                elif how == "colour":
                    row[1].text = ""
                    if chosen:
                        shade(row[1], FILLS[rating_level(chosen)])
            elif q.role == "actions":
                row[0].text = "\n".join([q.wording, *q.guidance])
                row[1].text = (actions or {}).get(s.id, "")
            else:
                row[0].text = f"{q.number} {q.wording}"
                default = f"Fictional evidence for {q.number}: reviewed by the safeguarding lead in January 2026." \
                    if chosen else ""
                row[1].text = (evidence or {}).get(q.id, default)
    d.core_properties.author = "maap tests"
    d.save(path)
    return path


# --- a partnership's own variant, learned from its blank ------------------------------------------------------

VARIANT_STANDARDS = [
    ("Leadership and accountability", ["Senior leaders champion safeguarding across the agency",
                                       "The board receives an annual safeguarding report"]),
    ("Safer workforce", ["Recruitment follows safer recruitment guidance", "DBS checks are renewed on time"]),
    ("Working together", ["Staff attend multi-agency meetings when invited", "Escalation guidance is known and used"]),
]
VARIANT_RAG = ["Red", "Amber", "Green"]


def write_variant(path: Path, filled: dict | None = None) -> Path:
    """The fictional Ashcombe partnership's own Section 11 audit: 'Label:' lines for the header, a Word heading
    per standard, a Requirement | Evidence table, a 'RAG rating: ☐ Red ☐ Amber ☐ Green' line and an
    Action | Lead | By when grid. Blank when ``filled`` is None; else ``filled`` gives 'agency', 'lead',
    'date', 'year', 'ratings' (standard number -> option), 'evidence' (standard -> texts), 'actions'
    (standard -> [(action, lead, by when)])."""
    f = filled or {}
    d = docx.Document()
    d.add_paragraph("Ashcombe Safeguarding Children Partnership Section 11 Audit", style="Title")
    for label, key in (("Agency", "agency"), ("Lead completing the audit", "lead"), ("Date", "date"),
                       ("Audit year", "year")):
        d.add_paragraph(f"{label}: {f.get(key, '')}".rstrip())
    for n, (title, reqs) in enumerate(VARIANT_STANDARDS, 1):
        d.add_paragraph(f"Standard {n}: {title}", style="Heading 2")
        table = d.add_table(rows=1, cols=2)
        table.style = "Table Grid"
        table.rows[0].cells[0].text, table.rows[0].cells[1].text = "Requirement", "Evidence"
        for i, req in enumerate(reqs):
            row = table.add_row().cells
            row[0].text = f"{n}{'abc'[i]} {req}"
            row[1].text = (f.get("evidence", {}).get(n) or ["", ""])[i]
        chosen = f.get("ratings", {}).get(n)
        d.add_paragraph("RAG rating: " + " ".join(f"{'☒' if o == chosen else '☐'} {o}" for o in VARIANT_RAG))
        grid = d.add_table(rows=1, cols=3)
        grid.style = "Table Grid"
        for c, head in enumerate(("Action", "Lead", "By when")):
            grid.rows[0].cells[c].text = head
        actions = list(f.get("actions", {}).get(n, []))
        for i in range(max(2, len(actions))):
            row = grid.add_row().cells
            for c, value in enumerate(actions[i] if i < len(actions) else ("", "", "")):
                row[c].text = value
    d.add_paragraph("Thank you. Return this audit to the partnership business unit.")
    d.core_properties.author = "maap tests"
    d.save(path)
    return path
