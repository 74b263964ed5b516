"""The workbook and report follow the case linker: one case per child however each agency wrote the name."""

from models.settings import Settings
from pipeline.outputs.workbook import read_sheet
from pipeline.run import build_outputs
from pipeline.store.workspace import Workspace
from tests.casebuild import arrive, make_return

SPELLINGS = [("Fairclough, Freya", "Kingsmere Police"), ("Freya Fairclough (11/08/2016)", "Kingsmere Health Visiting"),
             ("FREYA FAIRCLOUGH", "Larkfield Medical Practice"), ("Isla Brennan-Shaw", "Kingsmere CAMHS")]


def _workspace(tmp_path) -> Workspace:
    ws = Workspace(tmp_path).ensure()
    for child, agency in SPELLINGS:
        arrive(ws, make_return(child, agency, answer=f"{child.split(',')[0].split()[0].title()} was seen at home."))
    return ws


def test_by_case_and_grades_put_every_spelling_of_a_child_on_one_case(tmp_path):
    ws = _workspace(tmp_path)
    workbook = build_outputs(ws, Settings())[0]
    cases = {row["Case"] for row in read_sheet(workbook, "By case")}
    assert len(cases) == 2  # Freya (three spellings) and Isla, never merged
    grades = read_sheet(workbook, "Grades")
    assert len(grades) == 2


def test_pseudonymised_workbook_and_report_give_the_child_one_code(tmp_path):
    ws = _workspace(tmp_path)
    workbook, report, _ = build_outputs(ws, Settings(pseudonymise=True))
    cases = {row["Case"] for row in read_sheet(workbook, "By case")}
    assert len(cases) == 2 and all(c.startswith("Child ") for c in cases)
    html = report.read_text(encoding="utf-8")
    assert "Freya" not in html and "FAIRCLOUGH" not in html.upper() and "Isla" not in html
