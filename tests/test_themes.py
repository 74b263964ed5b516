"""Theme tagging: what an analyst sees in record.themes and answer.themes (fictional text only)."""

from __future__ import annotations

import pytest

from models.record import Answer, AuditReturn, Source, Status, TemplateMatch
from pipeline.themes.codebook import load_codebook
from pipeline.themes.tag import field_polarity, sentence_polarity, tag_returns, tag_texts


@pytest.fixture(scope="module")
def cb():
    return load_codebook()


def affirmed(cb, text: str, question: str = "") -> set[str]:
    [mentions] = tag_texts([text], cb, [question])
    return {m.theme for m in mentions if not m.negated}


def negated(cb, text: str) -> set[str]:
    [mentions] = tag_texts([text], cb)
    return {m.theme for m in mentions if m.negated}


def record(*answers: tuple[str, str, str]) -> AuditReturn:
    return AuditReturn(
        source=Source(file="police-return.docx", sha256="0" * 64, format="docx"),
        template=TemplateMatch(id="west-midlands-maat", version="1", confidence=0.9),
        answers=[Answer(id=i, section="s", question=q, answer=a, status=Status.answered) for i, q, a in answers],
    )


def return_level_f1(cb, split: str) -> tuple[int, float]:
    """(returns, micro F1 over (return, theme) pairs) of one return split of bench/bench_themes.py, by the
    codebook's rules alone: the trained model has seen every labelled round (tests/test_theme_model.py scores
    it on a round it was not trained on)."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parents[1] / "bench"))
    from bench_themes import load_returns
    from train_theme_model import micro_f1

    items = load_returns(split)
    return len(items), micro_f1(cb, items, None)


@pytest.mark.parametrize("text, theme", [
    ("There were no concerns about domestic abuse.", "domestic_abuse"),
    ("There was no evidence of exploitation.", "exploitation"),
    ("The young person denied any self-harm.", "self_harm"),
    ("The case would have been referred to MASH if exploitation had been suspected.", "exploitation"),
    ("Domestic abuse was ruled out after the strategy discussion.", "domestic_abuse"),
    ("If neglect is identified, a strategy meeting will be held.", "neglect"),
    ("He was not at risk of CSE.", "cse"),
])
def test_negations_and_hypotheticals_do_not_tag_but_are_kept(cb, text, theme):
    assert theme not in affirmed(cb, text)
    assert theme in negated(cb, text)


@pytest.mark.parametrize("text, theme", [
    ("Neglect was not recognised by the school until March.", "neglect"),
    ("No referral was made despite clear signs of neglect.", "neglect"),
    ("There was no delay in sharing the domestic abuse notification.", "domestic_abuse"),
    ("She is no longer missing from home but remains at risk of CCE.", "cce"),
])
def test_a_negation_elsewhere_in_the_sentence_does_not_hide_a_real_concern(cb, text, theme):
    assert theme in affirmed(cb, text)


@pytest.mark.parametrize("text, theme", [
    ("There was no chronology on file.", "chronology"),
    ("The voice of the child was not recorded.", "voice_of_the_child"),
    ("There was no escalation despite the disagreement.", "escalation"),
])
def test_absence_of_good_practice_is_a_finding_not_a_negation(cb, text, theme):
    assert theme in affirmed(cb, text)


@pytest.mark.parametrize("text, theme, present", [
    ("Her school attendance fell to 68% this term.", "attendance", True),
    ("Mum attended the meeting and attendance at the core group was good.", "attendance", False),
    ("The family were neglectful of the children's basic needs.", "neglect", True),
    ("The social worker did not neglect to inform the school.", "neglect", False),
    ("He was excluded from school for three days.", "exclusion", True),
    ("Father was excluded from the assessment.", "exclusion", False),
    ("She moved to secondary school in September.", "transitions_to_adulthood", False),
    ("The child's behaviour was challenging at home.", "escalation", False),
    ("He was reported missing overnight.", "missing_from_home", True),
    ("Mum reported missed health appointments.", "missing_from_home", False),
    ("Mother's mental health deteriorated after the birth.", "parental_mental_health", True),
    ("He was referred to CAMHS for his mental health.", "parental_mental_health", False),
])
def test_near_misses(cb, text, theme, present):
    assert (theme in affirmed(cb, text)) is present


def test_child_theme_counts_for_its_parent_once_per_sentence(cb):
    [mentions] = tag_texts(["Concerns about child sexual exploitation and county lines were raised."], cb)
    themes = [m.theme for m in mentions]
    assert themes.count("exploitation") == 1
    assert {"cse", "county_lines", "exploitation"} <= set(themes)


def test_polarity_from_question_wording_and_cue_words():
    assert field_polarity("Is there good practice which should be highlighted?") == "strength"
    assert field_polarity("Do you have any suggestions for practice improvement for your agency?") == "concern"
    assert field_polarity("How are plans informed by assessment?") == "neutral"
    assert sentence_polarity("the assessment was not timely".split()) == "concern"
    assert sentence_polarity("the referral was made without delay".split()) == "strength"
    assert sentence_polarity("the referral was made".split(), default="concern") == "concern"


def test_evidence_polarity_uses_field_when_the_sentence_has_no_cues(cb):
    [r] = tag_returns([record(
        ("good", "Is there good practice which should be highlighted?", "Fathers were invited to every core group."),
        ("dev", "Do you have any suggestions for practice improvement?", "The chronology was delayed by six weeks."),
    )], cb)
    fathers = next(t for t in r.themes if t.id == "engagement_with_fathers")
    chron = next(t for t in r.themes if t.id == "chronology")
    assert fathers.evidence[0].polarity == "strength"
    assert chron.evidence[0].polarity == "concern"


def test_tag_returns_fills_answers_and_record_themes_without_mutating_input(cb):
    original = record(
        ("q1", "How were opportunities for early help considered?",
         "An early help assessment was completed. There was no evidence of domestic abuse."),
        ("q19", "How are the child's day to day lived experiences understood?",
         "Direct work captured her wishes and feelings. She told her teacher about the CSE concerns."),
    )
    [tagged] = tag_returns([original], cb)
    assert original.themes == [] and original.answers[0].themes == []
    assert "early_help" in tagged.answer("q1").themes
    assert "domestic_abuse" not in tagged.answer("q1").themes
    assert {"voice_of_the_child", "cse", "exploitation"} <= set(tagged.answer("q19").themes)
    by_id = {t.id: t for t in tagged.themes}
    assert by_id["cse"].mentions == 1 and by_id["cse"].answers == ["q19"]
    assert by_id["cse"].evidence[0].sentence == "She told her teacher about the CSE concerns."
    # Ruled out themes are not themes of the return; they stay visible apart, with zero mentions.
    assert "domestic_abuse" not in by_id
    [da] = tagged.negated_themes
    assert da.mentions == 0 and da.answers == [] and da.evidence == []
    assert da.negated[0].sentence == "There was no evidence of domestic abuse." and da.negated[0].answer == "q1"
    ids = [t.id for t in tagged.themes]
    assert ids.index("exploitation") < ids.index("cse")


def test_mentions_count_sentences_and_retagging_replaces(cb):
    r = record(("q", "Q?", "Neglect was evident. Home conditions were poor and the home was neglected."))
    [once] = tag_returns([r], cb)
    [twice] = tag_returns([once], cb)
    assert next(t for t in once.themes if t.id == "neglect").mentions == 2
    assert once.themes == twice.themes


def test_override_theme_is_tagged(tmp_path):
    path = tmp_path / "codebook.yaml"
    path.write_text("themes:\n  - id: radicalisation\n    label: Radicalisation\n    patterns: [prevent referral]\n")
    cb = load_codebook(path)
    [r] = tag_returns([record(("q", "Q?", "A Prevent referral was made in May."))], cb)
    assert [t.id for t in r.themes] == ["radicalisation"]


def test_mention_offsets_point_at_the_sentence(cb):
    text = "Intro line.  Home conditions were poor."
    [[m]] = tag_texts([text], cb)
    assert text[m.start:m.end] == m.sentence == "Home conditions were poor."


@pytest.mark.parametrize("text, present, absent", [
    ("There were no concerns about drugs, alcohol or domestic abuse.", set(), {"substance_misuse", "domestic_abuse"}),
    ("No concerns were raised by school, but the health visitor reported domestic abuse.", {"domestic_abuse"}, set()),
    ("Although there was no evidence of CSE, concerns about county lines remained.", {"county_lines"}, {"cse"}),
    ("Should exploitation concerns arise, a referral will be made.", set(), {"exploitation"}),
    ("The GP did not share the information about the overdose.", {"self_harm", "information_sharing"}, set()),
])
def test_negation_scope(cb, text, present, absent):
    found = affirmed(cb, text)
    assert present <= found and not (absent & found)


def test_labelled_dev_sentences_stay_above_target(cb):
    """A regression guard over the bench's dev split (bench/bench_themes.py prints the per-theme table)."""
    import yaml
    from pathlib import Path

    data = yaml.safe_load((Path(__file__).parents[1] / "bench" / "data" / "themes_labelled.yaml").read_text())
    items = data["dev"]
    found = tag_texts([t for t, _ in items], cb)
    tp = fp = fn = 0
    for (_, gold), mentions in zip(items, found):
        g = {a for tid in gold for a in [tid, *cb.ancestors(tid)]}
        p = {m.theme for m in mentions if not m.negated}
        tp, fp, fn = tp + len(p & g), fp + len(p - g), fn + len(g - p)
    assert len(items) >= 200
    assert 2 * tp / (2 * tp + fp + fn) >= 0.9


@pytest.mark.parametrize("text, theme", [
    # Wording from safeguarding vocabulary rather than the bench sentences (fictional).
    ("He has been pulling out his hair when anxious about going home.", "self_harm"),
    ("She burns herself with a hair straightener.", "self_harm"),
    ("Dad was referred to NHS Talking Therapies by the GP.", "parental_mental_health"),
    ("Mum has been tearful and says she cannot cope since the birth.", "parental_mental_health"),
    ("She was picked up from school in a car driven by an older man.", "cse"),
    ("He was found in another town with wraps of heroin and a burner phone.", "county_lines"),
    ("Older boys made him hold drugs in his bedroom.", "cce"),
    ("A man she met on Roblox asked her to send photos.", "online_harm"),
    ("Father is alcohol dependent and relapsed in May.", "substance_misuse"),
    ("The family were served notice by their landlord.", "housing"),
    ("Mother's ex-partner strangled her in front of the children.", "domestic_abuse"),
    ("Mum agreed with everything at the core group but nothing changed.", "disguised_compliance"),
])
def test_unseen_wording_of_common_indicators_is_tagged(cb, text, theme):
    assert theme in affirmed(cb, text)


@pytest.mark.parametrize("text, theme", [
    ("Mother denied drinking during the pregnancy.", "substance_misuse"),
    ("He denied any thoughts of hurting himself.", "self_harm"),
    ("Mother has no history of mental ill health.", "parental_mental_health"),
])
def test_a_negation_inside_a_token_pattern_match_still_negates(cb, text, theme):
    assert theme not in affirmed(cb, text)


@pytest.mark.parametrize("text, theme", [
    ("Mum brought her son to the GP with anxiety.", "parental_mental_health"),
    ("The children drink plenty of water.", "substance_misuse"),
    ("Father was arrested for burglary in June.", "engagement_with_fathers"),
    ("The chronology was used to inform the plan.", "information_sharing"),
    ("She had a link to online support from CAMHS.", "online_harm"),
    ("The situation escalated when he came home.", "escalation"),
    ("He was suspended from his job after the incident.", "exclusion"),
    ("Daily contact by email worked well.", "multi_agency_working"),
])
def test_widened_vocabulary_near_misses(cb, text, theme):
    assert theme not in affirmed(cb, text)


def test_each_token_pattern_is_anchored_on_an_uncommon_word(cb):
    """A pattern anchored on "to" or "and" would run on nearly every answer and slow a batch several-fold."""
    from pipeline.themes.nlp import load_nlp
    from pipeline.themes.tag import compile_codebook

    tagger = compile_codebook(cb)
    common = load_nlp().Defaults.stop_words
    assert tagger.token_rules
    for _, anchors in tagger.token_rules:
        assert anchors is not None
        assert any(values - common for _attr, values in anchors)


def test_fresh_return_level_heldout_stays_near_target(cb):
    """Issue 7 measure: micro F1 over (return, theme) pairs on the held-out half of bench/data/themes_returns.yaml."""
    returns, f1 = return_level_f1(cb, "returns-heldout")
    assert returns == 20
    assert f1 >= 0.85


def test_not_applicable_answers_are_not_coded():
    from models.record import Answer, Status
    from pipeline.themes.codebook import load_codebook
    from pipeline.themes.tag import tag_returns
    from tests.records import make_record

    record = make_record()
    na = Answer(id="q4", section="Prevention", question="If there is an escalation procedure, was it required?",
                answer="N/A - no escalation was needed and no domestic abuse concerns", status=Status.not_applicable)
    answered = Answer(id="q5", section="Prevention", question="How were disagreements resolved?",
                      answer="Police attended a domestic abuse incident at the home.", status=Status.answered)
    record = record.model_copy(update={"answers": [*record.answers, na, answered]})
    tagged = tag_returns([record], load_codebook())[0]
    assert tagged.answer("q4").themes == []
    assert all("q4" not in t.answers for t in tagged.themes)
    assert "domestic_abuse" in tagged.answer("q5").themes  # an answered question is still coded


# ---- Round 2: precision on practice themes (labelling guide in docs/themes.md) ----

@pytest.mark.parametrize("text, theme", [
    ("The housing officer attended the core group.", "housing"),
    ("Mum has a learning disability and was given easy-read letters.", "education"),
    ("He has a speech and language delay and sees a therapist.", "timeliness"),
    ("The records note two earlier bruises to his sister.", "timeliness"),
    ("The crisis team shared her relapse signature with the ward.", "substance_misuse"),
    ("Latest attendance at the emergency department was in May.", "attendance"),
    ("The team manager will convene a legal planning meeting.", "multi_agency_working"),
    ("The worker asked him about his sleep and his diet.", "professional_curiosity"),
    ("A young carers referral was discussed with mum.", "lived_experience"),
])
def test_agency_names_and_everyday_words_are_not_their_theme(cb, text, theme):
    """An agency, a service or a word with another sense in ordinary use does not code the theme it resembles."""
    assert theme not in affirmed(cb, text)


@pytest.mark.parametrize("text, theme", [
    ("The family were placed in temporary accommodation after the eviction.", "housing"),
    ("There were housing issues: the flat is damp and too small.", "housing"),
    ("He has a learning disability and an EHC plan.", "education"),
    ("There was a delay of six weeks before the assessment started.", "timeliness"),
    ("The referral should have been made earlier.", "timeliness"),
    ("Dad relapsed in March and is drinking heavily again.", "substance_misuse"),
    ("The injury was not explored with either parent.", "professional_curiosity"),
    ("The keyworker asked about the children living at the address.", "professional_curiosity"),
    ("A young carers referral was made and he now goes to the young carers project.", "early_help"),
    ("The boys are now arriving on time for school.", "attendance"),
])
def test_the_same_themes_stated_plainly_still_code(cb, text, theme):
    """Tightening must not lose the plain statement of each theme."""
    assert theme in affirmed(cb, text)


def test_routine_enquiry_is_a_question_not_a_finding(cb):
    assert "domestic_abuse" in negated(cb, "Routine enquiry about domestic abuse was made at booking.")
    assert "domestic_abuse" not in affirmed(cb, "Routine enquiry about domestic abuse was made at booking.")
    assert "assessment_quality" in affirmed(cb, "Routine enquiry about domestic abuse was made at booking.")
    # What the enquiry found is a finding.
    assert "domestic_abuse" in affirmed(cb, "At routine enquiry she disclosed domestic abuse by her partner.")


@pytest.mark.parametrize("text, theme", [
    ("Police did not tell the school about the incident until the following week.", "timeliness"),
    ("She waited beyond the 6-week limit in bed and breakfast.", "timeliness"),
    ("Clinic letters are copied to the GP and the school.", "information_sharing"),
    ("The school nurse updated the GP after each contact.", "information_sharing"),
    ("He has had three previous admissions for overdoses.", "chronology"),
    ("She has attended the emergency department four times this year.", "chronology"),
    ("Dad was offered a phone contact and took part in the review.", "engagement_with_fathers"),
    ("She was seen without her parents and asked about home.", "voice_of_the_child"),
])
def test_process_wording_codes_practice_themes(cb, text, theme):
    """Practice themes said through what practitioners did (updated, copied to, not until) rather than their names."""
    assert theme in affirmed(cb, text)


def test_not_previously_known_is_not_chronology(cb):
    assert "chronology" not in affirmed(cb, "Not known to this agency prior to the referral.")


def test_round2_return_level_heldout_does_not_fall_below_its_before(cb):
    """Round 2 held-out half (labelled by the guide, never tuned on): micro F1 stays above the 0.79 before."""
    returns, f1 = return_level_f1(cb, "round2-heldout")
    assert returns == 22
    assert f1 >= 0.80


VOICE_Q = "How is the voice of the child/adult heard and incorporated into interventions?"
HISTORY_Q = "How do they consider the family history and context including use of chronologies and genograms?"
SHARING_Q = "Please describe how information sharing has impacted on the plan."
OPEN_Q = "How long has the case been open to your service?"


@pytest.mark.parametrize("text, question, theme", [
    ("He would like to live with his nan and see his dad at weekends.", VOICE_Q, "voice_of_the_child"),
    ("Both older children lived with their nan before.", HISTORY_Q, "chronology"),
    ("The GP phoned us a month after the conference.", SHARING_Q, "information_sharing"),
])
def test_ordinary_words_code_a_practice_theme_under_a_question_about_it(cb, text, question, theme):
    assert theme in affirmed(cb, text, question)
    assert theme not in affirmed(cb, text, OPEN_Q)  # the same words elsewhere are not that theme


def test_question_context_reads_a_section_title(cb):
    rec = AuditReturn(
        source=Source(file="enfield-return.docx", sha256="0" * 64, format="docx"),
        template=TemplateMatch(id="enfield-escp", version="1", confidence=0.9),
        answers=[Answer(id="a", section="Joint working", question="Key areas of good practice",
                        answer="Police and school attended every core group.", status=Status.answered)],
    )
    [tagged] = tag_returns([rec], cb)
    assert "multi_agency_working" in tagged.answers[0].themes


@pytest.mark.parametrize("text, question, theme", [
    ("Mum said she wanted more help with bedtimes.", VOICE_Q, "voice_of_the_child"),  # the mother's words
    ("Not previously known; no history with any agency.", HISTORY_Q, "chronology"),  # nothing to analyse
    ("There were no other agencies involved.", "How are relevant agencies engaged in multi-agency decision making?",
     "multi_agency_working"),
])
def test_context_cues_respect_whose_words_and_negation(cb, text, question, theme):
    assert theme not in affirmed(cb, text, question)


def test_context_patterns_without_a_question_are_refused(tmp_path):
    from models.errors import ConfigError

    path = tmp_path / "codebook.yaml"
    path.write_text("themes:\n  - id: chronology\n    question_patterns: []\n    context_patterns: [history]\n")
    with pytest.raises(ConfigError, match="question_patterns"):
        load_codebook(path)


@pytest.mark.parametrize("text, theme, present", [
    ("Domestic abuse was asked about and denied.", "domestic_abuse", False),
    ("Our manager challenged the NFA decision and it was overturned.", "housing", False),  # NFA: no further action
    ("Our manager challenged the NFA decision and it was overturned.", "thresholds", True),
    ("His voice is missing from my records.", "missing_from_home", False),
    ("Five incidents logged since 2022.", "chronology", True),
    ("Seen by CAMHS in 2021 for anxiety, discharged after 6 sessions.", "chronology", True),
    ("The CSE screening tool scored high risk and we were not sent a copy.", "information_sharing", True),
    ("She was clear she had not sent any images.", "information_sharing", False),
    ("Police keep us updated on the investigation.", "information_sharing", True),
    ("He is late most mornings and tired.", "attendance", True),
    ("Mum agrees at every meeting to take them to the dentist but nothing gets done.", "disguised_compliance", True),
    ("The registrar asked to see the toy.", "professional_curiosity", True),
    ("All tests were done within 48 hrs.", "timeliness", True),
])
def test_round3_wording(cb, text, theme, present):
    assert (theme in affirmed(cb, text)) is present


@pytest.mark.parametrize("field, names", [
    ("Mia Smith, Leo Smith (DOB 01/02/2019)", {"Mia", "Leo"}),
    ("KAI SMITH", {"Kai"}),
    ("Child A", set()),
    ("Unborn baby of Jess Brown", set()),  # the mother's name, not the child's
    ("Smith children: Kai and Ruby", {"Kai", "Ruby"}),
    (None, set()),
])
def test_child_names_from_the_header(field, names):
    from pipeline.themes.people import child_names

    assert child_names(field) == names


def test_the_childs_name_from_the_header_reads_as_the_child(cb):
    from models.record import Header

    def themes_of(child):
        rec = record(("q1", "What are you worried about?", "Mia described hiding under the stairs."),
                     ("q2", "What are you worried about?", "Jess told the officer the bruise was from the cot."))
        rec = rec.model_copy(update={"header": Header(child=child)})
        [tagged] = tag_returns([rec], cb)
        return tagged.answer("q1").themes, tagged.answer("q2").themes

    with_name, mother = themes_of("Mia Brown")
    assert "voice_of_the_child" in with_name and "voice_of_the_child" not in mother
    assert "voice_of_the_child" not in themes_of("Ruby Brown")[0]  # the child is Ruby: Mia is someone else


def test_parents_named_in_the_answers_read_as_their_role():
    from pipeline.themes.people import family_names

    names = family_names(["Mum's partner Dean has been at some visits.", "Jess (mum) said it was the cot.",
                          "Lee, the children's father, lives away.", "Dad was seen in March."])
    assert names == {"Dean": "father", "Jess": "mother", "Lee": "father"}


def test_a_named_father_not_spoken_to_is_engagement_with_fathers(cb):
    rec = record(("q9", "What steps have been taken to engage all family members in assessment?",
                  "Mum's partner Dean is at the house most days."),
                 ("q22", "How has your agency identified vulnerabilities?",
                  "Nobody has contacted Dean about the children."))
    [tagged] = tag_returns([rec], cb)
    assert "engagement_with_fathers" in tagged.answer("q22").themes


def test_a_name_given_a_childs_age_reads_as_the_child(cb):
    from pipeline.themes.people import children_by_age

    assert children_by_age(["Amir (14) travels an hour.", "Tyler is 15 and", "Gary is 45 and"]) == {"Amir", "Tyler"}
    rec = record(("q1", "What worked well?", "Ellie (13) is seen weekly."),
                 ("q2", "What worked well?", "Ellie says she now has a plan for bad nights."))
    [tagged] = tag_returns([rec], cb)
    assert "voice_of_the_child" in tagged.answer("q2").themes


def test_last_blind_return_set_stays_near_its_first_score(cb):
    """Round 12 (Warrington and Enfield returns written blind, never tuned on) scored 0.88 micro F1 when first
    run; a codebook change that costs it more than a few pairs should be noticed."""
    returns, f1 = return_level_f1(cb, "round12-heldout")
    assert returns == 32
    assert f1 >= 0.85
