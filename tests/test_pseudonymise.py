"""Pseudonymising returns for shared outputs: who counts as a name, and the codes they get."""

from models.record import Comment, Header
from pipeline.outputs.names import is_word, people_in
from pipeline.outputs.pseudonymise import Pseudonymiser, pseudonymise, pseudonymise_all
from tests.records import make_record

SALT = b"0" * 16


def _said(text: str, **header) -> str:
    """The answer ``text`` as the pseudonymised report would quote it."""
    record = make_record(answer=text)
    if header:
        record = record.model_copy(update={"header": record.header.model_copy(update=header)})
    return pseudonymise(record, SALT).answers[0].answer


def test_child_first_name_possessive_and_surname_become_the_child_code():
    out = _said("Amelia's weight improved. Staff told AMELIA and the Thornbury family about it.")
    assert out == "Child A's weight improved. Staff told Child A and the Child A family about it."


def test_family_members_get_the_relation_the_text_gives_them():
    out = _said("Her older brother Mason was seen. Mum's partner Dean did not engage; Mason's plan closed. "
                "Jordan (dad) was not contacted.")
    assert "Mason" not in out and "Dean" not in out and "Jordan" not in out
    # Where the relation stands next to the name it says who it is; elsewhere the code does.
    assert out.startswith("Her older brother was seen. Mum's partner did not engage; Brother of Child A's plan closed.")
    assert "Father of Child A (dad) was not contacted" in out


def test_unknown_capitalised_words_titles_and_nicknames_are_people_but_agencies_and_months_are_not():
    out = _said("In March Tiana Okonjo spoke to Mr Price at Kingsmere Park Academy. Kieran (known as Kez) told "
                "Ofsted staff on Monday. Whilst at Larkfield Medical Practice Tiana was calm.",
                agency="Larkfield Medical Practice")
    for name in ("Tiana", "Okonjo", "Price", "Kez", "Kieran"):
        assert name not in out
    for kept in ("In March", "Kingsmere Park Academy", "Ofsted staff on Monday", "Whilst at Larkfield Medical Practice"):
        assert kept in out
    assert out.count("Person") >= 3


def test_professionals_in_the_header_are_people_and_their_role_stays():
    record = make_record().model_copy(update={"header": Header(
        agency="Police", child="Amelia Thornbury", auditor="DS Karen Holloway, Public Protection Unit",
        practitioner="Priya Natarajan (Health Visitor)")})
    record = record.model_copy(update={"answers": [record.answers[0].model_copy(
        update={"answer": "DS Holloway and Priya met; Karen chaired."})],
        "comments": [Comment(author="Priya Natarajan", text="Check with Priya", anchor="Priya met")]})
    out = pseudonymise(record, SALT)
    assert out.header.auditor.endswith(", Public Protection Unit") and out.header.auditor.startswith("Person ")
    karen = out.header.auditor.split(",")[0]
    assert out.answers[0].answer.startswith(f"{karen} and Person ") and out.answers[0].answer.endswith(f"; {karen} chaired.")
    assert "Priya" not in out.model_dump_json() and out.comments[0].author == ""


def test_one_child_one_code_across_agencies_and_different_children_different_codes():
    records = [make_record(agency="Police", sha="1" * 64, answer="Amelia was seen."),
               make_record(agency="School", sha="2" * 64, child="AMELIA  THORNBURY", answer="Amelia attends."),
               make_record(agency="Police", sha="3" * 64, child="Kieran Mulholland", answer="Kieran was found.")]
    out = pseudonymise_all(records, SALT)
    assert out[0].header.child == out[1].header.child != out[2].header.child
    assert {out[0].header.child, out[2].header.child} == {"Child A", "Child B"}
    assert out[0].answers[0].answer == f"{out[0].header.child} was seen."
    # Codes do not depend on the order the returns arrived in.
    again = pseudonymise_all(records[::-1], SALT)
    assert [r.header.child for r in again[::-1]] == [r.header.child for r in out]


def test_ordinary_words_that_are_also_names_are_kept_unless_the_return_names_someone_so():
    assert _said("Good progress was made. Grace and hope were shown.") == "Good progress was made. Grace and hope were shown."
    out = _said("Grace said she was happy.", practitioner="Grace Ofori")
    assert "Grace" not in out


def test_file_names_lose_names_whatever_the_separators():
    p = Pseudonymiser.for_records([make_record()], SALT)
    assert p.file_name("amelia_thornbury-Police.docx") == "Child-A-Police.docx"


def test_word_list_knows_ordinary_words_and_not_first_names():
    for word in ("health", "evidence", "partly", "British", "genograms", "whilst", "Monday"):
        assert is_word(word), word
    for name in ("Amelia", "Tiana", "Freya", "Sarah", "Noah", "Kingsmere"):
        assert not is_word(name), name


def test_people_in_reads_header_relations_and_titles():
    record = make_record(answer="Mum, Sarah, and her sister Ellie met DC Whitlock.")
    roles: dict[str, str] = {}
    for p in people_in(record):  # header people first, then relations and titles, then other capitalised words
        roles.setdefault(p.key, p.role)
    assert roles["amelia thornbury"] == "child" and roles["sarah"] == "mother" and roles["ellie"] == "sister"
    assert roles["whitlock"] == "professional" and roles["priya natarajan"] == "professional"


def test_words_mostly_written_as_names_are_names_mid_sentence_and_an_age_makes_any_word_a_name():
    out = _said("She was caring for Jack and for mum. After that Lisa told her GP. Poppy (7) was seen. "
                "Jack went to Reception on Fridays; a Merlin report was sent. Child A is White British.")
    assert "Jack" not in out and "Lisa" not in out and "Poppy" not in out
    for kept in ("Reception on Fridays", "a Merlin report", "White British", "After that"):
        assert kept in out
