"""Grades chosen by formatting: the grade's cell or word shaded, highlighted or bolded, or the others struck out.

Every document is built in code; every name and answer is fictional.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from models.raw import Cell, Paragraph, Row, Span, Table
from pipeline.mapping.grades import read_grade
from pipeline.mapping.layout import build_units
from pipeline.templates.registry import load_templates
from tests.rawbuild import doc, para

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
GRADES = ["Outstanding", "Good", "Requires improvement", "Inadequate"]
VALUES = dict(zip(GRADES, ["outstanding", "good", "requires_improvement", "inadequate"]))
YELLOW, GREY = "FFFF00", "D9D9D9"


@pytest.fixture(scope="module")
def template():
    return load_templates()["west-midlands-maat"]


def styled(text: str, *spans: tuple[str, str]) -> Paragraph:
    """A paragraph whose whole text carries each (style, detail) span."""
    return Paragraph(text=text, spans=[Span(start=0, end=len(text), style=st, detail=d) for st, d in spans])


def grade_table(option=None, mark=None, option_shading=None, mark_shading=None, title_shading=GREY) -> Table:
    """The West Midlands grade table: 'Grading | Grade (X)' then one row per grade with an empty mark cell.

    ``option(grade)`` gives the option cell's paragraph, ``option_shading(grade)`` / ``mark_shading(grade)``
    the fill of the option's cell / of the empty cell beside it.
    """
    option = option or para
    rows = [Row(cells=[Cell(row=0, col=0, blocks=[para("Grading")], shading=title_shading),
                       Cell(row=0, col=1, blocks=[para("Grade (X)")], shading=title_shading)])]
    for r, grade in enumerate(GRADES, start=1):
        rows.append(Row(cells=[
            Cell(row=r, col=0, blocks=[option(grade)], shading=option_shading(grade) if option_shading else None),
            Cell(row=r, col=1, blocks=[para("")], shading=mark_shading(grade) if mark_shading else None)]))
    return Table(rows=rows)


def grade_of(template, *blocks) -> tuple[str | None, str | None]:
    _units, value, problem = read_grade(build_units(doc(*blocks)), template)
    return value, problem


def only(grade: str, value, otherwise=None):
    return lambda g: value if g == grade else otherwise


# ---- one grade set apart --------------------------------------------------------------------------------------

def test_the_shaded_grade_cell_is_the_grade(template):
    assert grade_of(template, grade_table(option_shading=only("Good", YELLOW))) == ("good", None)


def test_the_shaded_empty_cell_beside_a_grade_marks_it(template):
    table = grade_table(mark_shading=only("Requires improvement", YELLOW))
    assert grade_of(template, table) == ("requires_improvement", None)


@pytest.mark.parametrize("detail", ["highlight:yellow", "bold", "shading:FFFF00", "underline:single"])
def test_the_grade_word_highlighted_or_emphasised_alone_is_the_grade(template, detail):
    table = grade_table(option=lambda g: styled(g, ("emphasis", detail)) if g == "Inadequate" else para(g))
    assert grade_of(template, table) == ("inadequate", None)


def test_the_grade_left_standing_with_the_others_struck_out_is_the_grade(template):
    table = grade_table(option=lambda g: para(g) if g == "Outstanding" else styled(g, ("strike", "")))
    assert grade_of(template, table) == ("outstanding", None)


def test_grades_listed_as_paragraphs_under_the_title_read_the_same(template):
    blocks = [para("Overall grade:")] + [styled(g, ("emphasis", "highlight:green")) if g == "Good" else para(g)
                                          for g in GRADES]
    assert grade_of(template, *blocks) == ("good", None)


def test_grades_on_one_line_with_one_highlighted_or_the_others_struck(template):
    text = "Overall grade: Outstanding / Good / Requires improvement / Inadequate"
    at = text.index("Requires improvement")
    line = Paragraph(text=text, spans=[Span(start=at, end=at + 20, style="emphasis", detail="highlight:yellow")])
    assert grade_of(template, line) == ("requires_improvement", None)
    struck = [Span(start=text.index(g), end=text.index(g) + len(g), style="strike") for g in GRADES if g != "Good"]
    assert grade_of(template, Paragraph(text=text, spans=struck)) == ("good", None)


def test_grades_across_a_row_marked_by_shading_the_cell_below(template):
    table = Table(rows=[
        Row(cells=[Cell(row=0, col=c, blocks=[para(g)]) for c, g in enumerate(GRADES)]),
        Row(cells=[Cell(row=1, col=c, blocks=[para("")], shading=YELLOW if g == "Inadequate" else None)
                   for c, g in enumerate(GRADES)])])
    assert grade_of(template, para("Overall grade"), table) == ("inadequate", None)


# ---- the form's own design chooses nothing ---------------------------------------------------------------------

def test_a_grade_table_coloured_by_the_form_chooses_nothing_until_one_grade_is_marked(template):
    rag = dict(zip(GRADES, ["00B050", "92D050", "FFC000", "FF0000"]))  # red/amber/green printed on the form
    assert grade_of(template, grade_table(option_shading=rag.get)) == (None, "none_marked")
    table = grade_table(option_shading=rag.get, mark_shading=only("Good", YELLOW))
    assert grade_of(template, table) == ("good", None)
    table = grade_table(option_shading=rag.get,
                        option=lambda g: styled(g, ("emphasis", "bold")) if g == "Inadequate" else para(g))
    assert grade_of(template, table) == ("inadequate", None)


def test_every_grade_shaded_alike_chooses_nothing_and_a_changed_shade_chooses(template):
    assert grade_of(template, grade_table(option_shading=lambda g: GREY)) == (None, "none_marked")
    table = grade_table(option_shading=lambda g: YELLOW if g == "Good" else GREY)
    assert grade_of(template, table) == ("good", None)


# ---- several, none, conflicts ---------------------------------------------------------------------------------

def test_two_grades_shaded_is_multiple_marked(template):
    table = grade_table(option_shading=lambda g: YELLOW if g in ("Good", "Outstanding") else None)
    assert grade_of(template, table) == (None, "multiple_marked")


def test_two_grades_left_standing_is_multiple_marked(template):
    table = grade_table(option=lambda g: para(g) if g in ("Good", "Inadequate") else styled(g, ("strike", "")))
    assert grade_of(template, table) == (None, "multiple_marked")


def test_a_grade_struck_out_and_highlighted_is_two_readings(template):
    def option(g):
        if g == "Good":
            return styled(g, ("strike", ""), ("emphasis", "highlight:yellow"))
        return styled(g, ("strike", "")) if g != "Outstanding" else para(g)
    assert grade_of(template, grade_table(option=option)) == (None, "multiple_marked")


def test_every_grade_struck_out_or_none_formatted_is_none_marked(template):
    assert grade_of(template, grade_table(option=lambda g: styled(g, ("strike", "")))) == (None, "none_marked")
    assert grade_of(template, grade_table()) == (None, "none_marked")


def test_a_mark_decides_over_formatting(template):
    # the agency highlighted Outstanding while reading the criteria, then put its X beside Good
    table = grade_table(option=lambda g: styled(g, ("emphasis", "highlight:yellow")) if g == "Outstanding" else para(g))
    table.rows[2].cells[1].blocks = [para("X")]
    assert grade_of(template, table) == ("good", None)


# ---- the Word extractor reads whole-cell shading ---------------------------------------------------------------

_spec = importlib.util.spec_from_file_location("make_word_samples", SAMPLES / "make_word_samples.py")
mk = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(mk)


def shaded(cell_xml: str, fill: str, val: str = "clear", color: str = "auto") -> str:
    return cell_xml.replace("</w:tcPr>", f'<w:shd w:val="{val}" w:color="{color}" w:fill="{fill}"/></w:tcPr>', 1)


@pytest.mark.parametrize("val, color, fill, expected", [
    ("clear", "auto", "FFFF00", "FFFF00"),
    ("clear", "auto", "ffff00", "FFFF00"),
    ("clear", "auto", "auto", None),
    ("clear", "auto", "FFFFFF", None),
    ("solid", "00B0F0", "auto", "00B0F0"),
    ("nil", "auto", "FFFF00", None),
    ("pct25", "auto", "FFC000", "FFC000"),
])
def test_word_cell_shading_becomes_cell_shading(tmp_path, val, color, fill, expected):
    from extractors import docx as word
    from models.settings import Limits

    body = mk.tbl(mk.tr(mk.tc("Good"), shaded(mk.tc(""), fill, val, color)), grid=(3000, 3000))
    raw = word.extract(mk.write_docx(tmp_path / "grade.docx", body), Limits())
    (table,) = raw.blocks
    assert [c.shading for c in table.rows[0].cells] == [None, expected]


def test_maap_extract_reads_a_west_midlands_grade_chosen_by_shading_its_cell(tmp_path):
    """End to end: the return has no X in the grade table; the agency shaded the 'Requires improvement' cell."""
    import docx
    from click.testing import CliRunner
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    from pipeline.cli.main import main
    from tests.formbuild import sample_return

    path = sample_return(tmp_path / "wm-grade-shaded.docx", grade=None)
    d = docx.Document(path)
    grade_rows = {row.cells[0].text: row for row in d.tables[-1].rows}
    tc_pr = grade_rows["Requires improvement"].cells[0]._tc.get_or_add_tcPr()
    tc_pr.append(parse_xml(f'<w:shd {nsdecls("w")} w:val="clear" w:color="auto" w:fill="FFFF00"/>'))
    d.save(path)
    result = CliRunner().invoke(main, ["extract", str(path), "--json"])
    assert result.exit_code == 0, result.output
    record = json.loads(result.output)
    assert record["template"]["id"] == "west-midlands-maat"
    assert record["grade"] == {"value": "requires_improvement", "problem": None}
    assert not any(f["code"] in ("grade_missing", "grade_multiple") for f in record["flags"])
    # the grade table is not mistaken for answer text
    assert not any("Requires improvement" in t for t in record["extraction"]["unmatched_text"])


def test_two_grades_highlighted_on_one_line_is_multiple_marked(template):
    text = "Outstanding / Good / Requires improvement / Inadequate"
    spans = [Span(start=text.index(g), end=text.index(g) + len(g), style="emphasis", detail="highlight:yellow")
             for g in ("Good", "Inadequate")]
    assert grade_of(template, para("Grade"), Paragraph(text=text, spans=spans)) == (None, "multiple_marked")
