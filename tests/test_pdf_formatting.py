"""PDFs printed from Word: strikethrough, highlights and shaded cells drawn as paths read as Word's formatting.

Documents are built in code (python-docx) and printed to PDF with LibreOffice (marked slow); the page-level
rules are also checked on pages built in code. Every name and answer is fictional.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from extractors.pdf import _assemble
from extractors.pdf import extract as extract_pdf
from extractors.pdf_page import Fill, PageContent, Token, read_formats
from models.raw import Paragraph, RawDocument
from models.settings import Limits
from models.template import AnswerKind
from pipeline.mapping.layout import build_units
from pipeline.intake.process import read_choices, read_formatting

YES_NO = AnswerKind.yes_no_comments


def tokens(text: str, x: float = 72.0, top: float = 100.0, height: float = 10.0, width: float = 6.0) -> list[Token]:
    """One line of characters, each ``width`` wide, as pdf_page reads them."""
    return [Token(ch, x + i * width, top, x + (i + 1) * width, top + height) for i, ch in enumerate(text)]


def where(text: str, word: str, x: float = 72.0, width: float = 6.0) -> tuple[float, float]:
    start = text.index(word)
    return x + start * width, x + (start + len(word)) * width


def paragraphs(raw: RawDocument):
    for block in raw.blocks:
        if isinstance(block, Paragraph):
            yield block
        else:
            for row in block.rows:
                for cell in row.cells:
                    yield from (b for b in cell.blocks if isinstance(b, Paragraph))


def answer(raw: RawDocument, kind: AnswerKind = YES_NO) -> tuple[list[str], list[str]]:
    lines = [line.text for unit in build_units(raw) for line in unit.lines if line.text.strip()]
    kept, struck = read_formatting(lines, kind, [])
    return read_choices(kept, kind, []), struck


# ---- the page rules, on pages built in code ------------------------------------------------------------------

def test_a_line_through_the_middle_of_a_word_is_a_strikethrough_not_a_ruling():
    text = "Yes / No"
    page = PageContent(1, 595, 842, tokens=tokens(text))
    x0, x1 = where(text, "No")
    page.h_edges = [(105.0, x0, x1)]  # the middle of characters 100-110 high
    read_formats(page)
    assert page.h_edges == [] and "".join(t.text for t in page.tokens if t.struck) == "No"
    (p,) = _assemble(Path("r.pdf"), [page]).blocks
    assert (p.text, [(p.text[s.start:s.end], s.style) for s in p.spans]) == ("Yes / No", [("No", "strike")])
    assert answer(RawDocument(file="r.pdf", format="pdf", blocks=[p])) == (["Yes"], [])


def test_an_underline_or_a_ruling_under_the_text_is_not_a_strikethrough():
    text = "Seen at home weekly."
    page = PageContent(1, 595, 842, tokens=tokens(text))
    x0, x1 = where(text, "weekly")
    page.h_edges = [(109.5, x0, x1), (113.0, 60.0, 300.0), (98.0, 60.0, 300.0)]  # underline, borders below/above
    read_formats(page)
    assert len(page.h_edges) == 3 and not any(t.struck for t in page.tokens)


def test_a_struck_sentence_in_free_text_is_kept_apart_whole():
    text = "Seen at home. Referred to CAMHS. Plan reviewed."
    page = PageContent(1, 595, 842, tokens=tokens(text))
    page.h_edges = [(105.0, *where(text, "Referred to CAMHS."))]
    read_formats(page)
    raw = _assemble(Path("r.pdf"), [page])
    assert answer(raw, AnswerKind.free_text) == (["Seen at home. Plan reviewed."], ["Referred to CAMHS."])


def test_a_filled_rectangle_behind_a_word_is_a_highlight_and_draws_no_table():
    text = "Outstanding / Good / Requires improvement / Inadequate"
    page = PageContent(1, 595, 842, tokens=tokens(text))
    x0, x1 = where(text, "Requires improvement")
    outline = ([(98.5, x0, x1), (111.5, x0, x1)], [(x0, 98.5, 111.5), (x1, 98.5, 111.5)])
    page.fills = [Fill((x0, 98.5, x1, 111.5), "FFFF00", edges=outline)]
    read_formats(page)
    assert page.fills[0].behind_text and page.h_edges == [] and page.v_edges == []  # no one-cell 'table'
    (p,) = _assemble(Path("r.pdf"), [page]).blocks
    assert [(p.text[s.start:s.end], s.detail) for s in p.spans] == [("Requires improvement", "shading:FFFF00")]


def test_a_fill_taller_than_its_text_keeps_its_outline_as_rulings():
    page = PageContent(1, 595, 842, tokens=tokens("Comments"))
    outline = ([(90.0, 60.0, 300.0), (160.0, 60.0, 300.0)], [(60.0, 90.0, 160.0), (300.0, 90.0, 160.0)])
    page.fills = [Fill((60.0, 90.0, 300.0, 160.0), "D9D9D9", edges=outline)]
    read_formats(page)
    assert not page.fills[0].behind_text and len(page.h_edges) == 2 and len(page.v_edges) == 2


# ---- printed from Word by LibreOffice -------------------------------------------------------------------------

def to_pdf(docx_path: Path) -> Path:
    """Print a .docx to PDF with LibreOffice, with a private profile (conversions can run side by side)."""
    out = docx_path.parent
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{out / 'lo-profile'}",
                    "--convert-to", "pdf", "--outdir", str(out), str(docx_path)],
                   check=True, capture_output=True, timeout=180)
    pdf = docx_path.with_suffix(".pdf")
    assert pdf.exists(), "LibreOffice printed no PDF"
    return pdf


def shade(cell, fill: str = "FFFF00") -> None:
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    shd = f'<w:shd {nsdecls("w")} w:val="clear" w:color="auto" w:fill="{fill}"/>'
    cell._tc.get_or_add_tcPr().append(parse_xml(shd))


@pytest.fixture(scope="module")
def printed(tmp_path_factory) -> RawDocument:
    """One Word document holding each case, printed to PDF once."""
    import docx
    from docx.enum.text import WD_COLOR_INDEX

    folder = tmp_path_factory.mktemp("printed")
    d = docx.Document()
    p = d.add_paragraph()
    p.add_run("Yes / ")
    p.add_run("No").font.strike = True
    p = d.add_paragraph()
    p.add_run("Seen at home on 3 May 2024. ")
    p.add_run("Referred to CAMHS on 9 May 2024.").font.strike = True
    p = d.add_paragraph()
    p.add_run("Yes / No / ")
    p.add_run("N/A").font.highlight_color = WD_COLOR_INDEX.YELLOW
    p = d.add_paragraph()
    p.add_run("Seen weekly by the health visitor, ")
    p.add_run("underlined", ).font.underline = True
    p.add_run(" and bold text.")
    table = d.add_table(rows=2, cols=2)
    table.style = "Table Grid"
    table.cell(0, 0).text, table.cell(1, 0).text = "Requires improvement", "Inadequate"
    shade(table.cell(0, 0))
    path = folder / "formatting.docx"
    d.save(path)
    return extract_pdf(to_pdf(path), Limits())


@pytest.mark.slow
def test_printed_strikethrough_reads_as_in_word(printed):
    found = {p.text: [(p.text[s.start:s.end], s.style) for s in p.spans] for p in paragraphs(printed)}
    assert found["Yes / No"] == [("No", "strike")]
    assert found["Seen at home on 3 May 2024. Referred to CAMHS on 9 May 2024."] == [
        ("Referred to CAMHS on 9 May 2024.", "strike")]
    # an underline is not a strikethrough
    assert found["Seen weekly by the health visitor, underlined and bold text."] == []


@pytest.mark.slow
def test_printed_highlight_chooses_the_option_and_a_shaded_cell_is_cell_shading(printed):
    (highlighted,) = [p for p in paragraphs(printed) if p.text == "Yes / No / N/A"]
    assert [(highlighted.text[s.start:s.end], s.style, s.detail) for s in highlighted.spans] == [
        ("N/A", "emphasis", "shading:FFFF00")]
    (table,) = [b for b in printed.blocks if not isinstance(b, Paragraph)]
    assert [[c.shading for c in row.cells] for row in table.rows] == [["FFFF00", None], [None, None]]
    assert [b.text for b in table.rows[0].cells[0].blocks] == ["Requires improvement"]


@pytest.mark.slow
def test_maap_extract_reads_a_west_midlands_return_printed_to_pdf_with_formatting(tmp_path):
    """The grade chosen by shading its cell, Yes/No by striking out, a struck sentence kept in a flag."""
    import docx
    from click.testing import CliRunner

    from pipeline.cli.main import main
    from tests.formbuild import sample_return

    path = sample_return(tmp_path / "wm-printed.docx", grade=None, q3="", q13="")
    d = docx.Document(path)
    for table in d.tables:
        table.style = "Table Grid"  # ruled, as the real tool prints
    cells = {row.cells[1].text.split(".")[0]: row.cells[2] for row in d.tables[1].rows}
    para = cells["3"].paragraphs[0]
    para.add_run("Yes / ")
    para.add_run("No").font.strike = True
    para = cells["13"].paragraphs[0]
    para.add_run("Actions were completed on 14/03/2024. ")
    para.add_run("Reviewed at core group on 1/5/2024.").font.strike = True
    grade_rows = {row.cells[0].text: row for row in d.tables[-1].rows}
    shade(grade_rows["Good"].cells[0])
    d.save(path)
    pdf = to_pdf(path)
    result = CliRunner().invoke(main, ["extract", str(pdf), "--json"])
    assert result.exit_code == 0, result.output
    record = json.loads(result.output)
    answers = {a["id"]: a for a in record["answers"]}
    assert record["template"]["id"] == "west-midlands-maat"
    assert record["grade"] == {"value": "good", "problem": None}
    assert answers["q3"]["answer"] == "☒ Yes"  # a free-text question: the option chosen, as a ticked box
    assert answers["q13"]["answer"] == "Actions were completed on 14/03/2024."
    struck = [f for f in record["flags"] if f["code"] == "struck_text"]
    assert [f["answer"] for f in struck] == ["q13"] and "Reviewed at core group on 1/5/2024." in struck[0]["message"]
