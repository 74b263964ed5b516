"""Formatting that answers a prompt in Word returns: "Yes / ~~No~~", "**Yes** / No", highlighted options, struck text.

Every document is built in code; every name and answer is fictional.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from extractors import docx as word
from models.raw import RawDocument
from models.settings import Limits
from tests.rawbuild import paragraphs
from models.template import AnswerKind
from pipeline.mapping.layout import build_units
from pipeline.intake.process import read_choices, read_formatting

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
_spec = importlib.util.spec_from_file_location("make_word_samples", SAMPLES / "make_word_samples.py")
mk = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(mk)

STRIKE, DSTRIKE, BOLD = "<w:strike/>", "<w:dstrike/>", "<w:b/>"
YES_NO = AnswerKind.yes_no_comments
PLANS = ["Early Help", "Child in Need", "Child Protection", "Looked After", "No plan"]
STYLES_WITH_CHARACTER_STYLES = mk.STYLES.replace("</w:styles>", (
    '<w:style w:type="character" w:styleId="Rejected"><w:name w:val="Rejected option"/>'
    '<w:rPr><w:strike/></w:rPr></w:style>'
    '<w:style w:type="character" w:styleId="RejectedRed"><w:name w:val="Rejected red"/><w:basedOn w:val="Rejected"/>'
    '<w:rPr><w:color w:val="C00000"/></w:rPr></w:style>'
    '<w:style w:type="paragraph" w:styleId="Prompt"><w:name w:val="Prompt"/><w:basedOn w:val="Normal"/>'
    '<w:rPr><w:b/></w:rPr></w:style></w:styles>'))


def extract(tmp_path: Path, body: str, **kw) -> RawDocument:
    return word.extract(mk.write_docx(tmp_path / "return.docx", body, **kw), Limits())


def answer(raw: RawDocument, kind: AnswerKind = YES_NO, options: list[str] = ()) -> tuple[list[str], list[str]]:
    """What a reader records from every line of the document: the choices first, and the passages struck out."""
    lines = [line.text for unit in build_units(raw) for line in unit.lines if line.text.strip()]
    kept, struck = read_formatting(lines, kind, list(options))
    return read_choices(kept, kind, list(options)), struck


def yes_no(*runs: str) -> str:
    return mk.p(*runs)


# ---- the extractor passes formatting on, text unchanged -------------------------------------------------------

@pytest.mark.parametrize("rpr, detail", [(STRIKE, ""), (DSTRIKE, "dstrike")])
def test_struck_option_is_a_strike_span_and_the_text_is_unchanged(tmp_path, rpr, detail):
    raw = extract(tmp_path, yes_no(mk.r("Yes / "), mk.r("No", rpr)))
    (p,) = paragraphs(raw.blocks)
    assert p.text == "Yes / No"
    assert [(s.start, s.end, s.style, s.detail) for s in p.spans] == [(6, 8, "strike", detail)]
    assert answer(raw) == (["Yes"], [])


def test_strike_through_a_character_style_and_its_based_on_chain_counts(tmp_path):
    body = yes_no(mk.r("Yes", '<w:rStyle w:val="RejectedRed"/>'), mk.r(" / No"))
    raw = extract(tmp_path, body, styles=STYLES_WITH_CHARACTER_STYLES)
    (p,) = paragraphs(raw.blocks)
    assert {(s.style, s.detail) for s in p.spans} == {("strike", ""), ("emphasis", "color:C00000")}
    assert answer(raw) == (["No"], [])


def test_direct_formatting_switches_a_style_strike_off(tmp_path):
    body = yes_no(mk.r("Yes", '<w:rStyle w:val="Rejected"/><w:strike w:val="0"/>'), mk.r(" / No"))
    (p,) = paragraphs(extract(tmp_path, body, styles=STYLES_WITH_CHARACTER_STYLES).blocks)
    assert p.spans == []


def test_a_struck_paragraph_mark_alone_strikes_no_text(tmp_path):
    # Word draws the paragraph mark's properties on the mark (and a list number), never on the text.
    raw = extract(tmp_path, mk.p("Yes / No", mark=STRIKE))
    (p,) = paragraphs(raw.blocks)
    assert p.spans == [] and answer(raw) == ([], [])


def test_a_tracked_deletion_is_not_a_strikethrough(tmp_path):
    raw = extract(tmp_path, yes_no(mk.r("Yes / "), mk.deleted("No")))
    (p,) = paragraphs(raw.blocks)
    assert (p.text, p.spans, raw.revisions) == ("Yes /", [], 1)
    assert answer(raw) == (["Yes"], [])


@pytest.mark.parametrize("rpr, detail", [
    ('<w:highlight w:val="yellow"/>', "highlight:yellow"),
    ('<w:shd w:val="clear" w:color="auto" w:fill="FFFF00"/>', "shading:FFFF00"),
    (BOLD, "bold"),
    ('<w:u w:val="single"/>', "underline:single"),
    ('<w:bdr w:val="single" w:sz="4" w:space="0" w:color="auto"/>', "border:single"),
])
def test_the_one_emphasised_option_is_chosen(tmp_path, rpr, detail):
    raw = extract(tmp_path, yes_no(mk.r("Yes / "), mk.r("No", rpr), mk.r(" / N/A")))
    (p,) = paragraphs(raw.blocks)
    assert [(p.text[s.start:s.end], s.style, s.detail) for s in p.spans] == [("No", "emphasis", detail)]
    assert answer(raw) == (["No"], [])


def test_emphasis_the_paragraph_style_gives_every_option_chooses_nothing(tmp_path):
    raw = extract(tmp_path, mk.p("Yes / No", style="Prompt"), styles=STYLES_WITH_CHARACTER_STYLES)
    (p,) = paragraphs(raw.blocks)
    assert p.spans == [] and answer(raw) == ([], [])
    # ...but a highlight on one option of a bold prompt still reads
    raw = extract(tmp_path, mk.p(mk.r("Yes", '<w:highlight w:val="green"/>'), mk.r(" / No"), style="Prompt"),
                  styles=STYLES_WITH_CHARACTER_STYLES)
    assert answer(raw) == (["Yes"], [])


def test_every_option_emphasised_alike_or_two_ways_chooses_nothing(tmp_path):
    assert answer(extract(tmp_path, yes_no(mk.r("Yes", BOLD), mk.r(" / "), mk.r("No", BOLD)))) == ([], [])
    body = yes_no(mk.r("Yes", '<w:color w:val="FF0000"/>'), mk.r(" / "), mk.r("No", '<w:color w:val="0000FF"/>'))
    assert answer(extract(tmp_path, body)) == ([], [])


def test_an_option_struck_and_emphasised_is_a_conflict_a_reader_is_shown(tmp_path):
    raw = extract(tmp_path, yes_no(mk.r("Yes", STRIKE + '<w:highlight w:val="yellow"/>'), mk.r(" / No")))
    choices, struck = answer(raw)
    assert sorted(choices) == ["No", "Yes"] and struck == []


def test_options_one_per_line_read_across_lines(tmp_path):
    raw = extract(tmp_path, mk.p("Yes") + mk.p(mk.r("No", '<w:highlight w:val="yellow"/>')))
    assert answer(raw) == (["No"], [])
    raw = extract(tmp_path, mk.p(mk.r("Yes", STRIKE)) + mk.p("No"))
    assert answer(raw) == (["No"], [])


# ---- where the struck text sits -----------------------------------------------------------------------------

def test_struck_option_inside_a_content_control(tmp_path):
    body = mk.p(mk.sdt(mk.r("Yes / ") + mk.r("No", STRIKE), tag="lado_involved"))
    raw = extract(tmp_path, body)
    (p,) = paragraphs(raw.blocks)
    assert p.tags == ["lado_involved"] and [(s.start, s.end) for s in p.spans] == [(6, 8)]
    assert answer(raw) == (["Yes"], [])


def test_struck_option_and_struck_comment_inside_a_table_cell(tmp_path):
    body = mk.tbl(mk.tr(mk.tc("Has the LADO been involved?"),
                        mk.tc(yes_no(mk.r("Yes", STRIKE), mk.r(" / No")),
                              mk.p(mk.r("Discussed with the DSL. "), mk.r("LADO consulted on 3 May.", STRIKE)))),
                  grid=(4000, 4000))
    raw = extract(tmp_path, body)
    cell = [p for p in paragraphs(raw.blocks)][1:]
    assert [p.text for p in cell] == ["Yes / No", "Discussed with the DSL. LADO consulted on 3 May."]
    assert answer(raw) == (["No", "Has the LADO been involved?", "Discussed with the DSL."],
                           ["LADO consulted on 3 May."])


def test_spans_survive_a_typed_bullet_and_leading_spaces(tmp_path):
    raw = extract(tmp_path, mk.p(mk.r("  • Yes / "), mk.r("No", STRIKE)))
    (p,) = paragraphs(raw.blocks)
    assert p.list_item and p.text[p.spans[0].start:p.spans[0].end] == "No"


def test_tick_list_with_two_of_five_struck_reads_the_three_left(tmp_path):
    body = "".join(mk.p(mk.r(o, STRIKE)) if o in ("Child in Need", "Looked After") else mk.p(o) for o in PLANS)
    assert answer(extract(tmp_path, body), AnswerKind.tick_list, PLANS) == (
        ["Early Help", "Child Protection", "No plan"], [])
    # the same options on one line, and with boxes left empty
    line = mk.p(mk.r("Early Help / "), mk.r("Child in Need", STRIKE), mk.r(" / Child Protection / "),
                mk.r("Looked After", DSTRIKE), mk.r(" / No plan"))
    assert answer(extract(tmp_path, line), AnswerKind.tick_list, PLANS)[0] == ["Early Help", "Child Protection",
                                                                               "No plan"]
    boxes = mk.p(*(mk.r(f"☐ {o} ", STRIKE if o in ("Early Help", "No plan") else "") for o in PLANS))
    assert answer(extract(tmp_path, boxes), AnswerKind.tick_list, PLANS)[0] == ["Child in Need", "Child Protection",
                                                                                "Looked After"]


def test_a_ticked_box_whose_option_is_struck_out_is_a_conflict(tmp_path):
    body = yes_no(mk.r("☐ Yes "), mk.r("☒ "), mk.r("No", STRIKE))
    assert sorted(answer(extract(tmp_path, body))[0]) == ["No", "Yes"]


def test_emphasis_in_free_text_changes_nothing_and_struck_text_is_kept_apart(tmp_path):
    body = mk.p(mk.r("Seen at home "), mk.r("weekly", BOLD), mk.r(". "), mk.r("Referred to CAMHS.", STRIKE),
                mk.r(" Plan reviewed."))
    assert answer(extract(tmp_path, body), AnswerKind.free_text) == (
        ["Seen at home weekly. Plan reviewed."], ["Referred to CAMHS."])


# ---- end to end ---------------------------------------------------------------------------------------------

def _wm_return(path: Path) -> Path:
    """A West Midlands return whose answers are given by strikethrough and emphasis (python-docx, as Word saves)."""
    import docx
    from docx.enum.text import WD_COLOR_INDEX

    from tests.formbuild import sample_return

    sample_return(path, q3="", q7="", q13="")
    d = docx.Document(path)
    cells = {row.cells[1].text.split(".")[0]: row.cells[2] for row in d.tables[1].rows}

    def write(number: str, *runs: tuple[str, str]) -> None:
        para = cells[number].paragraphs[0]
        for text, how in runs:
            run = para.add_run(text)
            run.font.strike = how == "strike"
            run.font.highlight_color = WD_COLOR_INDEX.YELLOW if how == "highlight" else None

    write("3", ("Yes / ", ""), ("No", "strike"))
    cells["3"].add_paragraph("Support increased after the review on 2nd April 2024.")
    write("7", ("Yes", "highlight"), (" / No", ""))
    write("13", ("Actions were completed on 14/03/2024. ", ""), ("Reviewed at core group on 1/5/2024.", "strike"))
    d.save(path)
    return path


def test_maap_extract_reads_a_west_midlands_return_answered_by_formatting(tmp_path):
    from click.testing import CliRunner

    from pipeline.cli.main import main

    path = _wm_return(tmp_path / "wm-formatting.docx")
    result = CliRunner().invoke(main, ["extract", str(path), "--json"])
    assert result.exit_code == 0, result.output
    record = json.loads(result.output)
    answers = {a["id"]: a for a in record["answers"]}
    assert record["template"]["id"] == "west-midlands-maat"
    assert answers["q3"]["answer"] == "☒ Yes\nSupport increased after the review on 2nd April 2024."
    assert answers["q7"]["answer"] == "☒ Yes"
    assert answers["q13"]["answer"] == "Actions were completed on 14/03/2024."
    assert "2024-05-01" not in answers["q13"]["dates"]
    struck = [f for f in record["flags"] if f["code"] == "struck_text"]
    assert [(f["answer"], f["severity"]) for f in struck] == [("q13", "warning")]
    assert "Reviewed at core group on 1/5/2024." in struck[0]["message"]


def test_school_return_yes_no_chosen_by_strikethrough_end_to_end(tmp_path):
    """The school tool's Yes/No questions and tick list, answered in the comments column by striking out."""
    import docx
    from click.testing import CliRunner
    from docx.enum.text import WD_COLOR_INDEX

    from pipeline.cli.main import main

    d = docx.Document(SAMPLES / "blank-school-case-file-audit.docx")
    rows = {row.cells[0].text.split("?")[0]: row.cells for table in d.tables for row in table.rows}

    def write(question: str, *runs: tuple[str, bool], highlight: str = "") -> None:
        para = rows[question][3].paragraphs[0]
        for text, struck in runs:
            run = para.add_run(text)
            run.font.strike = struck
            run.font.highlight_color = WD_COLOR_INDEX.YELLOW if text == highlight else None

    write("Has the Local Authority Designated Officer (LADO) been involved", ("Yes", True), (" / No", False))
    write("Does the child have special educational needs", ("Yes / ", False), ("No", True))
    write("Is there a noticeable pattern of absence", ("Yes", True), (" / ", False), ("No", True))
    write("Has an Education Welfare Officer been involved", ("Yes", True), (" / No", False), highlight="Yes")
    d.tables[0].rows[0].cells[1].text = "14/05/2024"
    path = tmp_path / "school.docx"
    d.save(path)
    record = json.loads(CliRunner().invoke(main, ["extract", str(path), "--json"]).output)
    answers = {a["id"]: a for a in record["answers"]}
    assert answers["lado_involved"]["answer"] == "No"
    assert answers["send"]["answer"] == "Yes"
    assert answers["absence_patterns"]["status"] == "unanswered"  # both options struck out: nothing chosen
    # struck out and highlighted: the two readings disagree, and the analyst is told
    assert answers["ewo_involved"]["answer"].split("\n")[:2] == ["No", "Yes"]
    assert any(f["code"] == "choices_conflict" and f["answer"] == "ewo_involved" for f in record["flags"])


# ---- whole-cell shading: options laid out one per cell ------------------------------------------------------

def _shade(cell, fill: str = "FFFF00") -> None:
    """Shade a python-docx cell as Word's Shading button does (w:tcPr/w:shd with a fill)."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    shd = f'<w:shd {nsdecls("w")} w:val="clear" w:color="auto" w:fill="{fill}"/>'
    cell._tc.get_or_add_tcPr().append(parse_xml(shd))


def test_school_return_yes_no_chosen_by_shading_a_cell_end_to_end(tmp_path):
    """The school tool's 'Question | Yes | No | Comments' table: the agency shades the empty cell under its
    answer, or types Yes and No in the row and shades one; a shaded comment cell changes nothing."""
    import docx
    from click.testing import CliRunner

    from pipeline.cli.main import main

    d = docx.Document(SAMPLES / "blank-school-case-file-audit.docx")
    rows = {row.cells[0].text.split("?")[0]: row.cells for table in d.tables for row in table.rows}
    _shade(rows["Has the Local Authority Designated Officer (LADO) been involved"][2])  # under 'No'
    send = rows["Does the child have special educational needs"]
    send[1].text, send[2].text = "Yes", "No"
    _shade(send[1], "92D050")
    ewo = rows["Has an Education Welfare Officer been involved"]
    _shade(ewo[1]), _shade(ewo[2])  # both shaded: both marked, as two X's would be
    absence = rows["Is there a noticeable pattern of absence"]
    absence[3].text = "Attendance 96% this term."
    _shade(absence[3], "D9D9D9")
    d.tables[0].rows[0].cells[1].text = "14/05/2024"
    path = tmp_path / "school-shaded.docx"
    d.save(path)
    record = json.loads(CliRunner().invoke(main, ["extract", str(path), "--json"]).output)
    answers = {a["id"]: a for a in record["answers"]}
    assert answers["lado_involved"]["answer"] == "No"
    assert answers["send"]["answer"] == "Yes"
    assert answers["ewo_involved"]["answer"] == "Yes\nNo"
    assert any(f["code"] == "choices_conflict" and f["answer"] == "ewo_involved" for f in record["flags"])
    assert answers["absence_patterns"]["answer"] == "Attendance 96% this term."


def test_tick_list_down_a_column_chosen_by_shading_or_striking(tmp_path):
    """Options one per row with a mark cell beside each: no mark typed, the shaded (or standing) ones count."""
    from models.raw import Cell, Row, Table
    from models.raw import Paragraph as P
    from models.raw import Span
    from pipeline.mapping.layout import read_choice_cells

    def column(option_shading=None, mark_shading=None, struck=()):
        rows = []
        for r, o in enumerate(PLANS[:4]):
            text = P(text=o, spans=[Span(start=0, end=len(o), style="strike")] if o in struck else [])
            rows.append(Row(cells=[Cell(row=r, col=0, blocks=[text], shading=(option_shading or {}).get(o)),
                                   Cell(row=r, col=1, blocks=[P(text="")], shading=(mark_shading or {}).get(o))]))
        units = read_choice_cells(build_units(RawDocument(file="t.docx", format="docx", blocks=[Table(rows=rows)])),
                                  PLANS)
        return [u.text for u in units if u.text]

    assert column() == []  # nothing marked: the printed options are not answers
    assert column(mark_shading={"Child in Need": "FFFF00"}) == ["Child in Need"]
    assert column(option_shading={"Looked After": "FFFF00"}) == ["Looked After"]
    assert column(option_shading={o: "D9D9D9" for o in PLANS}) == []  # the form's grey: nothing chosen
    assert column(struck=("Early Help", "Looked After")) == ["Child in Need", "Child Protection"]


def test_answer_columns_the_form_prints_shaded_are_not_marks():
    from models.raw import Cell, Row, Table
    from models.raw import Paragraph as P
    from pipeline.mapping.layout import read_choice_cells

    def table(fills: list[tuple[str | None, str | None]]) -> list[str]:
        rows = [Row(cells=[Cell(row=0, col=c, blocks=[P(text=t)]) for c, t in enumerate(["Question", "Yes", "No"])])]
        for r, (yes, no) in enumerate(fills, start=1):
            rows.append(Row(cells=[Cell(row=r, col=0, blocks=[P(text=f"Question {r}?")]),
                                   Cell(row=r, col=1, blocks=[P(text="")], shading=yes),
                                   Cell(row=r, col=2, blocks=[P(text="")], shading=no)]))
        units = read_choice_cells(build_units(RawDocument(file="t.docx", format="docx", blocks=[Table(rows=rows)])), [])
        return [u.text for u in units if u.col and u.text]

    grey = "D9D9D9"
    assert table([(grey, grey)] * 3) == []  # every answer cell printed grey: nothing marked
    assert table([(grey, "FFFF00"), (grey, grey), (grey, grey)]) == ["No"]  # ...one re-shaded by hand
    assert table([("FFFF00", None), ("FFFF00", None), (None, "FFFF00")]) == ["Yes", "Yes", "No"]


def test_maap_extract_reads_header_options_struck_out_in_a_west_midlands_return(tmp_path):
    """'Name of Child / ~~Vulnerable adult~~' in the label, and a case status 'Open / ~~Closed~~'."""
    import docx
    from click.testing import CliRunner

    from pipeline.cli.main import main
    from tests.formbuild import sample_return

    path = sample_return(tmp_path / "wm-header.docx")
    d = docx.Document(path)
    header = d.tables[0]
    label = header.rows[-1].cells[0].paragraphs[0]
    label.text = "Name of Child / "
    label.add_run("Vulnerable adult").font.strike = True
    label.add_run(":")
    row = header.add_row().cells
    row[0].text = "Case status"
    value = row[1].paragraphs[0]
    value.add_run("Open / ")
    value.add_run("Closed").font.strike = True
    d.save(path)
    record = json.loads(CliRunner().invoke(main, ["extract", str(path), "--json"]).output)
    assert record["header"]["case_status"] == "Open"
    assert record["header"]["child"] == "Amelia Thornbury"
    assert not any(f["code"] == "struck_text" for f in record["flags"])  # a header option is no answer text


def test_free_text_struck_in_a_header_value_is_left_out_and_flagged(tmp_path):
    """A practitioner's name struck and replaced, and a note struck beside the child's name: both flagged in full;
    options deleted ('Child / ~~Vulnerable adult~~') still are not."""
    import docx
    from click.testing import CliRunner

    from pipeline.cli.main import main
    from tests.formbuild import sample_return

    path = sample_return(tmp_path / "wm-header-struck.docx")
    d = docx.Document(path)
    header = d.tables[0]
    practitioner = header.rows[2].cells[1].paragraphs[0]
    practitioner.text = ""
    practitioner.add_run("Tom Okafor").font.strike = True
    practitioner.add_run(" Sam Sample")
    child = header.rows[-1].cells[1].paragraphs[0]
    child.text = "Amelia Thornbury (Child / "
    child.add_run("Vulnerable adult").font.strike = True
    child.add_run(") ")
    child.add_run("moved to Leeds").font.strike = True
    d.save(path)
    record = json.loads(CliRunner().invoke(main, ["extract", str(path), "--json"]).output)
    assert record["header"]["practitioner"] == "Sam Sample"
    assert record["header"]["child"] == "Amelia Thornbury (Child)"
    struck = [f for f in record["flags"] if f["code"] == "struck_text"]
    assert [(f["severity"], f["answer"]) for f in struck] == [("warning", None)] * 2
    messages = " ".join(f["message"] for f in struck)
    assert '"Tom Okafor"' in messages and '"moved to Leeds"' in messages and 'it: "Vulnerable adult"' not in messages
    assert "Name of practitioner" in messages  # names the field as the form prints it


# ---- paragraph shading, and the shading a table style gives ------------------------------------------------

def shaded_p(text: str, fill: str = "FFFF00") -> str:
    """A paragraph shaded as a whole (Word: select the paragraph, Shading), not its runs."""
    return mk.p(text).replace("<w:r>", f'<w:pPr><w:shd w:val="clear" w:color="auto" w:fill="{fill}"/></w:pPr><w:r>', 1)


def test_an_option_paragraph_shaded_by_hand_is_chosen(tmp_path):
    raw = extract(tmp_path, mk.p("Yes") + shaded_p("No") + mk.p("N/A"))
    assert [(p.text, [s.detail for s in p.spans]) for p in paragraphs(raw.blocks)] == [
        ("Yes", []), ("No", ["paragraph-shading:FFFF00"]), ("N/A", [])]
    assert answer(raw) == (["No"], [])
    plans = extract(tmp_path, "".join(shaded_p(o, "92D050") if o == "Child in Need" else mk.p(o) for o in PLANS))
    assert answer(plans, AnswerKind.tick_list, PLANS) == (["Child in Need"], [])


def test_paragraph_shading_on_every_option_or_in_free_text_chooses_nothing(tmp_path):
    plain = answer(extract(tmp_path, mk.p("Yes / No") + mk.p("Yes") + mk.p("No")))
    shaded = answer(extract(tmp_path, shaded_p("Yes / No", "D9D9D9") + shaded_p("Yes", "D9D9D9") + shaded_p("No", "D9D9D9")))
    assert shaded == plain  # the form's grey on every option: read as if unshaded
    raw = extract(tmp_path, shaded_p("The family were seen at home on 03/02/2026."))
    assert answer(raw) == (["The family were seen at home on 03/02/2026."], [])


def test_a_banded_table_style_chooses_no_option_but_a_cell_shaded_by_hand_in_it_does(tmp_path):
    """Table-style shading (banded rows, a shaded first column) is the form's design and is not read; the agency's
    own shading of one option's cell in such a table still chooses it."""
    from pipeline.mapping.layout import read_choice_cells

    banded = mk.STYLES.replace("</w:styles>", (
        '<w:style w:type="table" w:styleId="Banded"><w:name w:val="Grid Table 4"/>'
        '<w:tcPr><w:shd w:val="clear" w:color="auto" w:fill="F2F2F2"/></w:tcPr>'
        '<w:tblStylePr w:type="band1Horz"><w:tcPr><w:shd w:val="clear" w:color="auto" w:fill="DEEAF6"/></w:tcPr>'
        '</w:tblStylePr><w:tblStylePr w:type="firstCol"><w:tcPr><w:shd w:val="clear" w:color="auto" w:fill="5B9BD5"/>'
        '</w:tcPr></w:tblStylePr></w:style></w:styles>'))

    def chosen(shade: str | None) -> list[str]:
        rows = [mk.tr(mk.tc(plan), mk.tc("").replace("</w:tcPr>", (
            '<w:shd w:val="clear" w:color="auto" w:fill="FFFF00"/></w:tcPr>' if plan == shade else "</w:tcPr>")))
            for plan in PLANS]
        body = mk.tbl(*rows, grid=(4500, 4500)).replace("TableGrid", "Banded")
        raw = extract(tmp_path, body, styles=banded)
        units = read_choice_cells(build_units(raw), PLANS)
        return [u.text for u in units if u.text]

    assert chosen(None) == []  # the bands and the blue first column choose nothing
    assert chosen("Looked After") == ["Looked After"]
