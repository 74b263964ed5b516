"""Returns joined to cases (however the child's name is written), agency types, the case register and rounds."""

from __future__ import annotations

from datetime import date

import pytest

from models.errors import ConfigError
from pipeline.cases.agencies import agency_type, load_agency_register
from pipeline.cases.linking import case_records, link_cases
from pipeline.cases.register import read_register
from pipeline.cases.rounds import derive_rounds, earlier_round, find_round, same_theme
from pipeline.cases.select import all_rounds, rounds_of, select_round
from tests.casebuild import make_return

# Four fictional children: twins Leo and Lea share a surname and a date of birth.
CASES = {
    "freya": [("Freya Fairclough (11/08/2016)", "Kingsmere Police"), ("Fairclough, Freya", "St Anne's Primary School"),
              ("F.F. 11/08/2016", "Kingsmere School Nursing"), ("FREYA FAIRCLOUGH", "Larkfield Medical Practice"),
              ("Freya Fair-clough", "Kingsmere Health Visiting"), ("Freya Fairclogh", "Kingsmere Children's Services")],
    "isla": [("Isla Brennan-Shaw 05/05/2012", "Kingsmere CAMHS"), ("Brennan Shaw, Isla", "Police - North Area"),
             ("ISLA BRENNAN-SHAW (DOB 05.05.12)", "Ashby Vale Homes"), ("I.B. 05/05/2012", "Brookside Surgery")],
    "leo": [("Leo Okoro", "Youth Justice Service"), ("Okoro, Leo", "Kingsmere Academy"),
            ("LEO OKORO 01/02/2019", "Police"), ("Leo Okoro (DOB 01/02/2019)", "Health Visiting"),
            ("leo okoro", "Early Help"), ("Leo Okoro", "Brookside Surgery"), ("Okoro Leo", "Children's Social Care")],
    "lea": [("Lea Okoro 01/02/2019", "Health Visiting"), ("Okoro, Lea", "Kingsmere Academy"),
            ("LEA OKORO", "Police"), ("Lea Okoro", "Brookside Surgery")],
}


def _returns():
    records, truth = [], {}
    for child, rows in CASES.items():
        for name, agency in rows:
            dob = "11/08/2016" if name == "Freya Fairclogh" else None  # the DOB sits in a details answer
            r = make_return(name, agency, dob_answer=dob)
            records.append(r)
            truth[r.source.sha256] = child
    return records, truth


def test_every_return_joins_its_childs_case_and_no_two_children_merge():
    records, truth = _returns()
    links = link_cases(records)
    groups = {}
    for sha, link in links.items():
        groups.setdefault(link.case_id, set()).add(truth[sha])
    assert all(len(children) == 1 for children in groups.values()), groups  # no case holds two children
    assert sorted(c for cs in groups.values() for c in cs) == sorted(CASES)  # one case per child
    assert [l for l in links.values() if l.uncertain] == []
    freya = {l.case_id for s, l in links.items() if truth[s] == "freya"}.pop()
    assert links[next(s for s, c in truth.items() if c == "isla")].label == "Isla Brennan-Shaw"
    typo = next(r for r in records if r.header.child == "Freya Fairclogh")
    assert links[typo.source.sha256].method == "name and date of birth"  # the DOB came from a details answer
    methods = {link.method for sha, link in links.items() if truth[sha] == "freya"}
    assert "initials and date of birth" in methods
    assert len(case_records(records, links)[freya]) == 6


def test_uncertain_matches_are_flagged_with_the_other_case_they_might_be():
    records, truth = _returns()
    twins_initials = make_return("L.O. 01/02/2019", "Kingsmere School Nursing")
    typo_no_dob = make_return("Isla Brenan-Shaw", "Kingsmere Early Help")
    initials_only = make_return("F.F.", "Kingsmere Housing")
    links = link_cases([*records, twins_initials, typo_no_dob, initials_only])
    twins = links[twins_initials.source.sha256]
    leo = links[next(s for s, c in truth.items() if c == "leo")].case_id
    lea = links[next(s for s, c in truth.items() if c == "lea")].case_id
    assert twins.uncertain and twins.case_id in (leo, lea) and set(twins.candidates) & {leo, lea} - {twins.case_id}
    assert "also fits" in twins.note
    typo = links[typo_no_dob.source.sha256]
    assert typo.uncertain and typo.case_id == links[records[6].source.sha256].case_id and "spelt" in typo.note
    alone = links[initials_only.source.sha256]
    freya = links[records[0].source.sha256].case_id
    assert alone.uncertain and alone.case_id != freya and freya in alone.candidates


def test_same_name_with_another_date_of_birth_is_another_child():
    a = make_return("Freya Fairclough (11/08/2016)", "Police")
    b = make_return("Freya Fairclough 02/03/2010", "School")
    links = link_cases([a, b])
    assert links[a.source.sha256].case_id != links[b.source.sha256].case_id


def test_a_child_audited_in_two_rounds_is_two_cases():
    first = make_return("Freya Fairclough", "Police", theme="Neglect", audited="2023-05-10")
    again = make_return("Freya Fairclough", "Police", theme="Neglect one year on", audited="2024-05-10")
    links = link_cases([first, again])
    assert links[first.source.sha256].case_id != links[again.source.sha256].case_id


def _register(tmp_path, text: str):
    (tmp_path / "cases.csv").write_text(text, encoding="utf-8")
    return read_register(tmp_path, load_agency_register(tmp_path))


REGISTER = """case,child,dob,round,agencies,due,contacts
MAA-24-01,Freya Fairclough,11/08/2016,2024 Q2 Neglect,police; school; gp; health visiting,30/05/2024,police: dc.ahmed@example.org
MAA-24-02,Isla Brennan-Shaw,05/05/2012,2024 Q2 Neglect,camhs; police; housing; probation,30/05/2024,
"""


def test_register_links_by_name_date_of_birth_and_case_reference(tmp_path):
    rows = _register(tmp_path, REGISTER)
    assert rows[0].agencies == ("police", "school", "gp", "health_visiting")
    assert rows[0].contacts == {"police": "dc.ahmed@example.org"} and rows[0].due == date(2024, 5, 30)
    records = [make_return("F.F. 11/08/2016", "St Anne's Primary"), make_return("Fairclough, Freya", "GP"),
               make_return("Child B", "Kingsmere CAMHS", file="MAA-24-02 CAMHS return.docx"),
               make_return("Noah Pemberton", "Police")]
    links = link_cases(records, rows)
    got = [(links[r.source.sha256].case_id, links[r.source.sha256].method, links[r.source.sha256].uncertain)
           for r in records]
    assert got[0] == ("MAA-24-01", "register: initials and date of birth", False)
    assert got[1][0] == "MAA-24-01" and not got[1][2]
    assert got[2] == ("MAA-24-02", "register: case reference", False)
    assert got[3][0] == "case-01" and got[3][2] and "not in cases.csv" in links[records[3].source.sha256].note


def test_register_files_column_confirms_a_match(tmp_path):
    rows = _register(tmp_path, "case,child,files\nMAA-24-05,Freya Fairclough,ff-housing.docx\n")
    r = make_return("F.F.", "Housing", file="ff-housing.docx")
    link = link_cases([r], rows)[r.source.sha256]
    assert (link.case_id, link.method, link.uncertain) == ("MAA-24-05", "register: file listed", False)


@pytest.mark.parametrize("text, message", [
    ("child,dob\nFreya,11/08/2016\n", "missing: case"),
    ("case,child,due\nMAA-1,Freya,next week\n", "line 2: 'next week' is not a date"),
    ("case,child\nMAA-1,Freya\nMAA-1,Isla\n", "line 3: case reference 'MAA-1' is listed twice"),
    ("case,child,colour\nMAA-1,Freya,red\n", "unknown column(s) colour"),
])
def test_a_bad_register_is_one_line_naming_the_line(tmp_path, text, message):
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        _register(tmp_path, text)


@pytest.mark.parametrize("name, expected", [
    ("CAMHS", "camhs"), ("Child and Adolescent Mental Health Service", "camhs"), ("Kingsmere CAMHS", "camhs"),
    ("Police - Kingsmere Local Policing Area", "police"), ("Kingsmere Children's Services - Adolescent Team", "csc"),
    ("Mersey Vale Community Health - 0-19 Service", "health_visiting"), ("Helth Visiting Team", "health_visiting"),
    ("School Nursing Service", "school_nursing"), ("St Bride's Catholic High School", "school"),
    ("Larkfield Medical Practice", "gp"), ("Youth Offending Team", "yjs"), ("Warrington Early Help Service", "early_help"),
    ("Ashby Vale Homes (housing association)", "housing"), ("National Probation Service", "probation"),
    ("Acme Consulting", "other"),
])
def test_agency_names_count_as_their_type(name, expected):
    assert agency_type(name, load_agency_register()) == expected


def test_workspace_agency_register_adds_aliases_and_types(tmp_path):
    (tmp_path / "agencies.yaml").write_text(
        "types:\n  early_help:\n    aliases: [Kingsmere Family Hub Plus]\n  sport:\n    label: Sports club\n"
        "    aliases: [football club]\n", encoding="utf-8")
    register = load_agency_register(tmp_path)
    assert agency_type("Acme Football Club", register) == "sport" and register["sport"].label == "Sports club"
    assert agency_type("Kingsmere family hub plus", register) == "early_help"
    assert agency_type("Police", register) == "police"  # built-in types stay
    (tmp_path / "agencies.yaml").write_text("types: [police]\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="agencies.yaml"):
        load_agency_register(tmp_path)


def test_rounds_from_theme_and_audit_date_and_the_earlier_round_on_the_same_theme():
    records = [make_return("Freya Fairclough", "Police", theme="Neglect", audited="2023-05-02"),
               make_return("Freya Fairclough", "School", theme="Neglect", audited="2023-06-20"),
               make_return("Isla Brennan-Shaw", "CAMHS", theme="Child Sexual Abuse", audited="2023-09-12"),
               make_return("Leo Okoro", "Police", theme="2022-2023 Qtr4 MAA: Neglect one year on", audited="2024-05-07")]
    rounds = derive_rounds(records)
    ids = [rounds[r.source.sha256].id for r in records]
    assert ids[0] == ids[1] and len(set(ids)) == 3
    assert rounds[records[0].source.sha256].label == "Neglect, 2023 Q2"
    listed = all_rounds(rounds)
    one_year_on = rounds[records[3].source.sha256]
    assert earlier_round(one_year_on, listed) == rounds[records[0].source.sha256]
    assert earlier_round(rounds[records[0].source.sha256], listed) is None
    assert earlier_round(rounds[records[2].source.sha256], listed) is None
    assert same_theme("Neglect", "Neglect one year on") and not same_theme("Neglect", "Self-harm")
    links = link_cases(records)
    chosen, mine = select_round("neglect, 2023 q2", records, links)
    assert chosen.id == "neglect-2023-q2" and mine == records[:2]
    with pytest.raises(ConfigError, match="no audit round 'exploitation'.*neglect-2023-q2"):
        find_round("exploitation", listed)


def test_register_round_wins_over_the_header(tmp_path):
    rows = _register(tmp_path, REGISTER)
    records = [make_return("Freya Fairclough", "Police", theme="neglect (quarter 2)", audited="2024-05-02"),
               make_return("Isla Brennan-Shaw", "CAMHS", theme="Neglect", audited="2024-07-20")]
    links = link_cases(records, rows)
    rounds = rounds_of(records, links, rows)
    assert {rounds[r.source.sha256].label for r in records} == {"2024 Q2 Neglect"}


def test_a_tool_with_no_theme_written_joins_the_round_its_date_falls_in():
    records = [make_return("Freya Fairclough", "Police", theme="Neglect", audited="2024-05-02"),
               make_return("Freya Fairclough", "School", theme="", audited="2024-05-09"),
               make_return("Isla Brennan-Shaw", "CAMHS", theme="Self-harm", audited="2024-11-20")]
    rounds = derive_rounds(records)
    assert rounds[records[1].source.sha256] == rounds[records[0].source.sha256]
    links = link_cases(records)
    assert links[records[0].source.sha256].case_id == links[records[1].source.sha256].case_id


def test_themes_written_differently_are_one_round():
    records = [make_return("Freya Fairclough", "Police", theme="Neglect", audited="2024-05-02"),
               make_return("Freya Fairclough", "School", theme="neglect and home conditions", audited="2024-05-09"),
               make_return("Freya Fairclough", "GP", theme="MAA Qtr1: Neglect", audited="2024-05-10")]
    assert len({r.id for r in derive_rounds(records).values()}) == 1
    assert len({link.case_id for link in link_cases(records).values()}) == 1


def test_a_child_listed_in_two_rounds_joins_the_row_on_the_returns_theme(tmp_path):
    rows = _register(tmp_path, "case,child,dob,round\nMAA-23-07,Freya Fairclough,11/08/2016,2023 Q2 Neglect\n"
                               "MAA-24-02,Freya Fairclough,11/08/2016,2024 Q2 Neglect one year on\n"
                               "MAA-24-09,Freya Fairclough,11/08/2016,2024 Q3 Exploitation\n")
    r = make_return("Fairclough, Freya", "Police", theme="Exploitation", audited="2024-08-01")
    link = link_cases([r], rows)[r.source.sha256]
    assert (link.case_id, link.confidence, link.uncertain) == ("MAA-24-09", 0.95, False)
    both = make_return("Fairclough, Freya", "Police", theme="Neglect", audited="2024-05-01")
    link = link_cases([both], rows)[both.source.sha256]
    assert link.uncertain and set(link.candidates) | {link.case_id} == {"MAA-23-07", "MAA-24-02"}
