"""The audit-day pack (HTML in headless Chromium, PDF with text), the workbook's Tracker and Chase sheets, one
round's outputs, and `maap cases`."""

from __future__ import annotations

import re
import subprocess

from click.testing import CliRunner

from models.settings import Settings
from pipeline.cli.main import main
from pipeline.outputs.workbook import read_sheet
from pipeline.run import build_outputs, write_packs
from pipeline.store.workspace import Workspace
from tests.browser import not_blank, render
from tests.casebuild import arrive, make_return, quarantine

REGISTER = """case,child,dob,round,agencies,due,contacts
MAA-24-01,Freya Fairclough,11/08/2016,2024 Q2 Neglect,police; school; gp; health visiting; camhs,30/05/2024,
MAA-24-02,Isla Brennan-Shaw,05/05/2012,2024 Q2 Neglect,police; housing; csc; camhs,30/05/2024,
"""


def _workspace(tmp_path) -> Workspace:
    ws = Workspace(tmp_path).ensure()
    (tmp_path / "cases.csv").write_text(REGISTER, encoding="utf-8")
    for child, agency, grade in [("Fairclough, Freya", "Kingsmere Police", "good"),
                                 ("F.F. 11/08/2016", "St Anne's Primary School", "requires_improvement"),
                                 ("FREYA FAIRCLOUGH", "Larkfield Medical Practice", "good"),
                                 ("Freya Fairclough (11/08/2016)", "Kingsmere Health Visiting", "inadequate"),
                                 ("Isla Brennan-Shaw", "Kingsmere CAMHS", "good"),
                                 ("Brennan-Shaw, Isla", "Police - North Area", None),
                                 ("ISLA BRENNAN-SHAW", "Ashby Vale Homes", "good"),
                                 ("Isla Brennan-Shaw", "Kingsmere Children's Services", "requires_improvement")]:
        answer = f"{child.split(',')[0].split()[0].title()} was seen by {agency} on 03/03/2024; the home was cold."
        arrive(ws, make_return(child, agency, grade=grade, answer=answer))
    quarantine(ws, "MAA-24-01 CAMHS audit.docx")
    return ws


def test_pack_renders_in_chromium_and_prints_to_a_pdf_with_text(tmp_path):
    ws = _workspace(tmp_path / "ws")
    paths = write_packs(ws, case="maa-24-01", today=None)
    assert [p.name for p in paths] == ["MAA-24-01.html", "MAA-24-01.pdf"]
    html = paths[0].read_text(encoding="utf-8")
    assert "Freya" not in html and "Fairclough" not in html  # pseudonymised by default
    assert len(set(re.findall(r"Child [A-Z]+\b", html))) == 1
    for agency in ["Kingsmere Police", "St Anne&#39;s Primary School", "Larkfield Medical Practice",
                   "Kingsmere Health Visiting"]:
        assert agency in html
    assert "Isla" not in html and "Ashby Vale Homes" not in html  # only this case's returns
    assert "CAMHS: quarantined" in html and "Requires improvement" in html and "Inadequate" in html
    assert "Question 7 (assessment) was left blank." in html
    png = tmp_path / "pack.png"
    assert render(paths[0], png, width=1400, height=1800) == []
    assert not_blank(png) > 0.05
    text = " ".join(subprocess.run(["pdftotext", str(paths[1]), "-"], capture_output=True, text=True,
                                   check=True).stdout.split())  # words a table cell wraps are rejoined
    pages = subprocess.run(["pdfinfo", str(paths[1])], capture_output=True, text=True, check=True).stdout
    assert int(next(l.split()[-1] for l in pages.splitlines() if l.startswith("Pages:"))) >= 1
    assert "Audit-day pack: MAA-24-01" in text and "How were opportunities for prevention" in text
    assert "Freya" not in text


def test_pack_with_names_shows_the_child_and_date_of_birth(tmp_path):
    ws = _workspace(tmp_path)
    paths = write_packs(ws, names=True, pdf=False)
    assert sorted(p.name for p in paths) == ["MAA-24-01.html", "MAA-24-02.html", "index.html"]
    index = (ws.output / "pack" / "index.html").read_text(encoding="utf-8")
    assert 'href="MAA-24-01.html"' in index and "Freya Fairclough" in index and "CAMHS" in index
    html = (ws.output / "pack" / "MAA-24-02.html").read_text(encoding="utf-8")
    assert "Isla Brennan-Shaw" in html and "05/05/2012" in html
    result = CliRunner().invoke(main, ["pack", str(tmp_path), "--case", "MAA-99"])
    assert result.exit_code == 1 and "no case 'MAA-99'" in result.output and "Traceback" not in result.output


def test_workbook_has_tracker_and_chase_sheets_and_a_round_builds_alone(tmp_path):
    ws = _workspace(tmp_path)
    arrive(ws, make_return("Noah Pemberton", "Kingsmere Police", theme="Exploitation", audited="2024-10-02"))
    paths = build_outputs(ws, Settings())
    tracker = read_sheet(paths[0], "Tracker")
    cell = {(r["Case"], r["Agency type"]): r for r in tracker}
    assert cell["MAA-24-01", "Police"]["Status"] == "received"
    assert cell["MAA-24-01", "CAMHS"]["Status"] == "quarantined"
    assert cell["MAA-24-02", "CAMHS"]["Status"] == "received"
    chase = read_sheet(paths[0], "Chase")
    assert {(r["Agency"], r["Case"]) for r in chase} >= {("CAMHS", "MAA-24-01")}
    assert all(r["Case"] != "MAA-24-01" or r["Agency"] != "Police" for r in chase)
    one = build_outputs(ws, Settings(), "exploitation-2024-q4")
    assert one[0].parent == ws.output / "rounds" / "exploitation-2024-q4"
    returns = read_sheet(one[0], "Returns")
    assert [r["Agency"] for r in returns] == ["Kingsmere Police"]
    coded = build_outputs(ws, Settings(pseudonymise=True))
    assert all(str(r["Child"]).startswith("Child ") for r in read_sheet(coded[0], "Tracker"))


def test_maap_cases_init_writes_a_register_check_reads_it(tmp_path):
    ws = _workspace(tmp_path)
    (tmp_path / "cases.csv").unlink()
    result = CliRunner().invoke(main, ["cases", "init", str(tmp_path)])
    assert result.exit_code == 0, result.output
    text = (tmp_path / "cases.csv").read_text(encoding="utf-8")
    assert text.splitlines()[0] == "case,child,dob,round,agencies,due,contacts,files"
    assert "case-01,Freya Fairclough,11/08/2016,\"Neglect, 2024 Q2\"" in text
    again = CliRunner().invoke(main, ["cases", "init", str(tmp_path)])
    assert again.exit_code == 1 and "--force" in again.output
    check = CliRunner().invoke(main, ["cases", "check", str(tmp_path)])
    assert check.exit_code == 0, check.output
    assert "cases.csv: 2 case(s)" in check.output and "Freya" not in check.output
    assert check.output.count("ok    case-0") == 8
    assert "round neglect-2024-q2: Neglect, 2024 Q2, 8 return(s)" in check.output
    with open(tmp_path / "cases.csv", "a", encoding="utf-8") as f:
        f.write("case-03,Leo Okoro,,,Kingsmere Sailing Club,,\n")
    arrive(ws, make_return("L.O.", "Kingsmere Police"))
    check = CliRunner().invoke(main, ["cases", "check", str(tmp_path), "--names"])
    assert check.exit_code == 1 and "'Kingsmere Sailing Club' is not in the agency register" in check.output
    flagged = [l for l in check.output.splitlines() if l.startswith("CHECK")]
    assert len(flagged) == 1 and "not in cases.csv" in flagged[0]  # initials alone, no date of birth: not merged


def test_pseudonymised_pack_gives_the_child_one_code_however_each_agency_wrote_the_name(tmp_path):
    ws = Workspace(tmp_path).ensure()
    for child, agency, said in [("Freya Fairclough (11/08/2016)", "Kingsmere Police", "Freya was seen at home."),
                                ("F.F. 11/08/2016", "St Anne's Primary School", "Freya Fairclough attends most days."),
                                ("FREYA FAIRCLOUGH", "Larkfield Medical Practice", "Freya missed two appointments."),
                                ("Fairclough, Freya", "Kingsmere CAMHS", "Miss Fairclough was referred.")]:
        arrive(ws, make_return(child, agency, answer=said))
    page, index = write_packs(ws, pdf=False)
    assert "Freya" not in index.read_text(encoding="utf-8")
    html = page.read_text(encoding="utf-8")
    assert "freya" not in html.lower() and "fairclough" not in html.lower()
    assert len(set(re.findall(r"Child [A-Z]+\d*", html))) == 1
    assert html.count("Kingsmere CAMHS") >= 2
