"""Learning a blank whose sections each repeat the same sub-questions, and reading its filled returns."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import docx
import pytest

from extractors.registry import extract
from models.settings import Settings
from pipeline.intake.process import build_record
from pipeline.templates.learn import learn

SECTIONS = ["Recognition", "Planning and intervention", "Assessment of need", "Working together", "Impact on the child",
            "Quality of recording"]
SUBS = ["Key areas of good practice", "Areas for development", "Recommendations for practice"]


def _answer(s: int, q: int) -> str:
    return f"Answer {s + 1}.{q + 1}: the visit on 0{q + 1}/0{s + 1}/2024 was recorded."


def _header(d) -> None:
    d.add_paragraph("Northmere Partnership Thematic Audit Tool")
    t = d.add_table(rows=2, cols=2)
    t.cell(0, 0).text, t.cell(1, 0).text = "Agency:", "Date of audit:"
    return t


def _write(layout: str, path: Path, filled: bool) -> Path:
    d = docx.Document()
    header = _header(d)
    if filled:
        header.cell(0, 1).text, header.cell(1, 1).text = "Northmere Health Visiting", "12/04/2024"
    if layout == "grid":
        t = d.add_table(rows=1 + len(SECTIONS), cols=1 + len(SUBS))
        t.cell(0, 0).text = "Area"
        for q, sub in enumerate(SUBS):
            t.cell(0, q + 1).text = sub
        for s, title in enumerate(SECTIONS):
            t.cell(s + 1, 0).text = title
            for q in range(len(SUBS)):
                t.cell(s + 1, q + 1).text = _answer(s, q) if filled else ""
    elif layout == "rows":
        t = d.add_table(rows=0, cols=2)
        for s, title in enumerate(SECTIONS):
            row = t.add_row().cells
            row[0].text = title
            for q, sub in enumerate(SUBS):
                row = t.add_row().cells
                row[0].text, row[1].text = sub, _answer(s, q) if filled else ""
    else:  # repeated paragraphs, each sub-question with an answer box under it
        for s, title in enumerate(SECTIONS):
            d.add_paragraph(title, style="Heading 2")
            for q, sub in enumerate(SUBS):
                d.add_paragraph(sub)
                box = d.add_table(rows=1, cols=1)
                box.cell(0, 0).text = _answer(s, q) if filled else ""
    d.save(path)
    return path


@pytest.mark.parametrize("layout", ["grid", "rows", "paragraphs"])
def test_a_section_by_sub_question_grid_is_learned_as_sections_and_read_into_them(tmp_path, layout):
    template = learn(extract(_write(layout, tmp_path / "blank.docx", False)), "northmere")
    assert [s.title for s in template.sections] == SECTIONS
    for s in template.sections:
        assert [q.wording for q in s.questions] == SUBS
        assert all(q.id.startswith(s.id + "_") and not q.id[-2:] in ("_2", "_3") for q in s.questions)
    assert {h.key for h in template.header} == {"agency", "date_of_audit"}

    raw = extract(_write(layout, tmp_path / "filled.docx", True))
    record = build_record(raw, "a" * 64, template, 1.0, Settings(), date(2026, 1, 1))
    for s, section in enumerate(template.sections):
        for q, question in enumerate(section.questions):
            answer = record.answer(question.id)
            assert answer.section == SECTIONS[s] and answer.answer == _answer(s, q), (layout, question.id)
    assert not [f for f in record.flags if f.code.value in ("unanswered", "section_unanswered")]
    assert record.extraction.unmatched_text == []


def test_a_question_table_with_answer_columns_is_not_a_section_grid():
    from models.raw import Cell, Paragraph, RawDocument, Row, Table

    def row(r, *texts):
        return Row(cells=[Cell(row=r, col=c, blocks=[Paragraph(text=t)]) for c, t in enumerate(texts)])

    table = Table(rows=[row(0, "Question", "Evidence", "Comments"), row(1, "Wishes and feelings", "", ""),
                        row(2, "Chronology", "", ""), row(3, "Supervision", "", "")])
    template = learn(RawDocument(file="x.docx", format="docx", blocks=[Paragraph(text="Audit tool"), table]), "x")
    assert [q.wording for q in template.questions()] == ["Wishes and feelings", "Chronology", "Supervision"]
