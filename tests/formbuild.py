"""Write a West Midlands audit tool .docx in code, filled in as an agency would, for pipeline tests."""

from pathlib import Path

import docx

from pipeline.templates.registry import load_templates

HEADER = [("Name of auditor completing form:", "auditor"), ("Name of your agency/organisation:", "agency"),
          ("Name of practitioner involved in the case:", "practitioner"), ("Date of audit:", "date_of_audit")]


def write_wm_form(path: Path, header: dict[str, str], answers: dict[str, str], grade: str | None = "Good") -> Path:
    """A WM-layout return: header table, questions table (label | question | answer), learning, grade table."""
    t = load_templates()["west-midlands-maat"]
    d = docx.Document()
    d.add_paragraph("West Midlands Regional Multi-Agency Audit Tool")
    d.add_paragraph(f"Theme: {header.get('theme', '')}")
    table = d.add_table(rows=0, cols=2)
    for label, key in HEADER:
        row = table.add_row().cells
        row[0].text, row[1].text = label, header.get(key, "")
    row = table.add_row().cells
    row[0].text, row[1].text = "Name of Child / Vulnerable adult:\n(delete as appropriate)", header.get("child", "")
    table = d.add_table(rows=0, cols=3)
    for section in t.sections:
        if section.learning:
            continue
        for i, q in enumerate(section.questions):
            row = table.add_row().cells
            row[0].text = section.title.upper() if i == 0 else ""
            row[1].text = "\n".join([f"{q.number}. {q.wording}" if q.number else q.wording, *q.guidance])
            row[2].text = answers.get(q.id, "")
    d.add_paragraph("Learning")
    table = d.add_table(rows=0, cols=2)
    for q in t.section_of("learning_actions").questions:
        row = table.add_row().cells
        row[0].text, row[1].text = "\n".join([q.wording, *q.guidance]), answers.get(q.id, "")
    d.add_paragraph("Please use the criteria above to give the case an overall grade:")
    table = d.add_table(rows=0, cols=2)
    for label, mark in [("Grading", "Grade (X)"), *((o, "X" if o == grade else "") for o in
                        ["Outstanding", "Good", "Requires improvement", "Inadequate"])]:
        row = table.add_row().cells
        row[0].text, row[1].text = label, mark
    d.core_properties.author = "maap tests"
    d.save(path)
    return path


def sample_return(path: Path, agency: str = "Health Visiting", child: str = "Amelia Thornbury",
                  grade: str | None = "Good", **answers: str) -> Path:
    header = {"auditor": "Priya Natarajan", "agency": agency, "practitioner": "Tom Okafor",
              "date_of_audit": "14/05/2024", "child": child, "theme": "Neglect"}
    filled = {"c1": "Open since 12/01/2023 (16 months).", "q1": "Early help assessment completed on 3rd March 2024.",
              "q4": "N/A", **answers}
    return write_wm_form(path, header, filled, grade)
