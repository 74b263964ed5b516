"""People named in a return, found by rules (there is no trained English pipeline here, so no NER).

A name is what the header gives (the child, the auditor, the practitioner, and each part of their names),
what the answers introduce with a relation ("mum, Sarah", "her brother Mason", "Dean (mum's partner)"),
what follows a title ("Mr Price", "DS Holloway"), and any capitalised word that is not an ordinary English word
("Tiana", "Freya's"), together with the capitalised words next to it ("Laura Pennington"), and, mid-sentence, a
word more often written capitalised than not ("Jack"). Ordinary English words are spacy-lookups-data's lemma table
and word index (read from disk; spaCy itself is not loaded), a short list of function words, and words the
returns themselves use in lower case. Agency names, places joined to an
organisation word ("Brookside Surgery"), months, days and acronyms are not names. Nothing here is logged.
"""

from __future__ import annotations

import gzip
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from models.record import AuditReturn

# Closed-class words the lemma table leaves out, and words of the trade it does not know.
_FUNCTION_WORDS = set("""
a an the and or but nor if then than that this these those there here where when whenever which who whom whose what
why how of to for from with without within into onto upon about above below against among between during before after
since until till via per by at in on off out over under through throughout towards toward across along around beside
besides beyond despite except inside outside near unlike i me my mine we us our ours you your yours he him his she her
hers it its they them their theirs myself yourself himself herself itself ourselves themselves all any both each either
neither every some none no not nothing nobody someone somebody anyone anything everyone everything also too very so
such only just still yet already again ever never always often sometimes usually once twice should would could might
must shall can will may am is are was were be been being do does did done have has had having although though whilst
while because unless whether whereas hence thus therefore however moreover furthermore nevertheless otherwise instead
rather quite perhaps maybe yes ok okay mr mrs ms miss dr prof
""".split())
_TRADE_WORDS = set("""
ofsted camhs cafcass nspcc childline barnardo barnardos kooth snapchat instagram whatsapp tiktok facebook youtube xbox
playstation fortnite roblox discord google teams zoom nhs genogram genograms chronology fortnightly termly parenting
stepdad stepmum stepdad's stepmum's safeguarding multi-agency dsl ddsl senco sendco ehcp mash marac mappa lado iro
icpc rcpc cin cp lac cla taf tac ehat ehap gcp gcp2 asq hv hvs sw gp gps ae a&e wellbeing admin gillick boxall
england scotland wales britain ireland uk europe africa asia caribbean english british scottish welsh irish polish
romanian lithuanian latvian portuguese somali eritrean afghan syrian kurdish pakistani bangladeshi indian
muslim christian catholic jewish hindu sikh buddhist islamic white black asian mixed north south east west
merlin niche athena storm mosaic liquidlogic eclipse systmone emis rio carefirst encompass compass prevent channel
""".split())
# Words of job titles, so "Laura Pennington, Social Worker" keeps only the name.
ROLE_WORDS = set("""
officer lead leader visitor visiting worker manager nurse teacher head deputy coordinator co-ordinator practitioner
clinician consultant doctor gp senco dsl designated safeguarding social tenancy sustainment pastoral clinical
principal named assistant director therapist psychologist psychiatrist midwife support family engagement youth
year protection public review senior advanced specialist adviser advisor
""".split())
_MONTHS_DAYS = set("""
january february march april may june july august september october november december jan feb mar apr jun jul aug
sep sept oct nov dec monday tuesday wednesday thursday friday saturday sunday mon tue tues wed thu thur thurs fri sat
sun easter christmas ramadan eid diwali
""".split())
_MONTHS_DAYS |= {d + "s" for d in ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")}
# Words that make a run of capitals an organisation or a place, not a person ("Brookside Surgery").
ORG_WORDS = set("""
academy school college nursery university surgery practice clinic hospital trust council services service team unit
centre center police constabulary homes housing association authority health board partnership federation church
charity foundation project hub road street lane avenue close drive way court estate park grove place crescent gardens
square house hall primary secondary infant junior high community county city borough town village ward district area
command station office department directorate group network alliance limited ltd plc
""".split())
RELATION_WORDS = set("""
mum mummy mom mother dad daddy father parent parents stepmum stepmother stepdad stepfather nan nana nanna gran granny
grandma grandmother grandad granddad grandpa grandfather grandparent grandparents aunt auntie aunty uncle cousin
brother sister sibling siblings son daughter baby partner boyfriend girlfriend friend carer carers child children
""".split())
TITLES = {"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "professor", "pc", "psc", "dc", "ds", "di", "dci", "dsi",
          "sgt", "sergeant", "insp", "inspector", "cllr", "sir", "dame", "rev", "revd", "reverend", "nurse"}

NAME_TOKEN = r"[A-Z][a-z]+(?:['’-][A-Z]?[a-z]+)*"
_TOKEN = re.compile(rf"(?<![\w'’-])({NAME_TOKEN})(?:['’]s?)?(?![\w-])")
_CAPS_RUN = re.compile(rf"(?<![\w'’-]){NAME_TOKEN}(?:['’]s\b|['’](?!\w))?(?:\s+{NAME_TOKEN}(?:['’]s\b|['’](?!\w))?)*")
_SENTENCE_START = re.compile(r"(?:^|[.!?:;•·\n\"“(]\s*|^\s*[-*–]\s+|\d[.)]\s+)$")


@lru_cache(maxsize=1)
def _lexeme_prob() -> dict[str, float]:
    data = resources.files("spacy_lookups_data") / "data"
    return json.loads(gzip.decompress((data / "en_lexeme_prob.json.gz").read_bytes()))


@lru_cache(maxsize=1)
def name_like_words() -> frozenset[str]:
    """Ordinary words more often written capitalised than not in spacy-lookups-data's lexeme probabilities:
    words that are mostly first names or places ("jack", "dean", "mason", "lily"). Capitalised mid-sentence, they
    are read as names."""
    prob = _lexeme_prob()
    never = _FUNCTION_WORDS | _TRADE_WORDS | _MONTHS_DAYS | RELATION_WORDS | ROLE_WORDS | ORG_WORDS
    return frozenset(w for w in english_words() if w not in never and w.isalpha()
                     and prob.get(w.capitalize(), -100.0) > prob.get(w, -100.0))


@lru_cache(maxsize=1)
def english_words() -> frozenset[str]:
    """Lower-case ordinary English words: spacy-lookups-data's English lemma table (forms and lemmas) and the
    function words and trade words it lacks. Read once per process."""
    data = resources.files("spacy_lookups_data") / "data"
    table = json.loads(gzip.decompress((data / "en_lemma_lookup.json.gz").read_bytes()))
    words = {w.lower() for w in table} | {w.lower() for w in table.values()}
    # The index's adjectives and adverbs ("partly", "pastoral", "British"), which the lookup table lacks when they
    # do not inflect, and its nouns ("health", "evidence") except those written capitalised more often than not in
    # the lexeme probabilities: the index's nouns include first names ("noah", "sarah").
    index = json.loads(gzip.decompress((data / "en_lemma_index.json.gz").read_bytes()))
    words |= {w.lower() for pos in ("adj", "adv") for w in index[pos] if "_" not in w}
    prob = _lexeme_prob()
    floor = -100.0
    words |= {w for w in (n.lower() for n in index["noun"] if "_" not in n)
              if prob.get(w, floor) >= prob.get(w.capitalize(), floor) and w in prob}
    return frozenset(words | _FUNCTION_WORDS | _TRADE_WORDS | _MONTHS_DAYS | RELATION_WORDS | ROLE_WORDS | ORG_WORDS)


def is_word(token: str, extra: frozenset[str] | set[str] = frozenset()) -> bool:
    """Whether a token (any case, possessive allowed) is an ordinary English word rather than a name."""
    w = re.sub(r"['’]s?$", "", token).lower()
    words = english_words()
    if w in words or w in extra:
        return True
    if "-" in w:  # "Multi-Agency", "Step-Down": every part a word
        return all(p in words or p in extra for p in w.split("-") if p)
    for british, american in (("isation", "ization"), ("ise", "ize"), ("ised", "ized"), ("ising", "izing"),
                              ("our", "or"), ("tre", "ter"), ("ogue", "og")):
        if w.endswith(british) and w[: -len(british)] + american in words:
            return True
    return False


@dataclass
class Person:
    """One person named in a return: the forms to replace, the role the text gives them, and where found."""

    key: str                     # normalised fullest name, e.g. "joanne whitfield"
    role: str                    # child, mother, father, brother ... , professional, person
    forms: set[str] = field(default_factory=set)
    titled: bool = False         # found as "Mr Price": not merged into a person who merely shares a surname

    @property
    def parts(self) -> list[str]:
        return self.key.split()


def _clean_person(text: str) -> list[str]:
    """The name tokens of one person in a header field: titles, roles in brackets and initials dropped."""
    text = re.sub(r"\([^)]*\)|\bD\.?O\.?B\.?.*$|\d.*$", " ", text)
    tokens = re.findall(r"[A-Za-z][A-Za-z'’-]*", text)
    out = []
    for t in tokens:
        lower = t.lower().rstrip(".")
        if lower in TITLES or len(t) < 2 or lower in {"and", "of", "the", "child", "children", "baby", "unborn"}:
            continue
        out.append(t.capitalize() if t.isupper() and len(t) > 3 else t)
    return out


def header_people(value: str | None, role: str) -> list[Person]:
    """People in a header field: "Joanne Whitfield, Named Nurse" -> Joanne Whitfield; "Mia Smith, Leo Smith" -> both
    (for the child field every comma part is a child; for professionals later parts count only if they hold a
    word that is not an ordinary English word, since "Social Worker" is a role)."""
    if not value or not value.strip():
        return []
    people = []
    for chunk in re.split(r"[;/&\n]|\band\b", value):
        parts = [p for p in chunk.split(",") if p.strip()]
        if role == "child" and len(parts) == 2 and all(len(_clean_person(p)) == 1 for p in parts):
            parts = [f"{parts[1].strip()} {parts[0].strip()}"]  # "Fairclough, Freya": one child, surname first
        for i, part in enumerate(parts):
            tokens = _clean_person(part)
            if not tokens:
                continue
            if role != "child" and i > 0 and all(is_word(t) for t in tokens):
                continue
            if role != "child" and all(is_word(t) for t in tokens) and any(
                    t.lower() in ROLE_WORDS | ORG_WORDS | RELATION_WORDS for t in tokens):
                continue  # "Health Visiting Team Leader" on a line of its own
            if all(t.isupper() for t in tokens):
                continue  # initials or acronyms ("J.S.", "DSL")
            titled = re.match(r"\s*(?:" + "|".join(TITLES) + r")\.?\s", part, re.I)
            person = Person(key=" ".join(t.lower() for t in tokens), role=role)
            person.forms |= name_forms(tokens)
            if role == "child" and len(tokens) > 1:  # "F.F." and "F. F." in an answer are the child too
                dotted = [t[0].upper() + "." for t in tokens]
                person.forms |= {"".join(dotted), " ".join(dotted)}
            if titled:
                title = titled.group(0).strip()
                person.forms |= {f"{title} {tokens[-1]}", f"{title} {' '.join(tokens)}"}
            people.append(person)
    return people


def name_forms(tokens: list[str]) -> set[str]:
    """The forms a name is written in: whole, first name, last name, and each half of a double-barrelled name."""
    forms = {" ".join(tokens)}
    for t in tokens:
        forms.add(t)
        if "-" in t:
            forms |= {p for p in t.split("-") if len(p) > 1}
    if len(tokens) > 2:
        forms.add(f"{tokens[0]} {tokens[-1]}")
    return {f for f in forms if len(f) > 1}


_ROLES = {
    "mother": r"mum|mummy|mom|mother|birth mother|biological mother",
    "father": r"dad|daddy|father|birth father|biological father",
    "stepmother": r"step-?mum|step-?mother|dad's partner|father's partner|dad's girlfriend|father's girlfriend",
    "stepfather": r"step-?dad|step-?father",
    "mother's partner": r"mum's (?:new )?(?:partner|boyfriend)|mother's (?:new )?(?:partner|boyfriend)",
    "grandmother": r"(?:maternal |paternal )?(?:nan|nana|nanna|gran|granny|grandma|grandmother)",
    "grandfather": r"(?:maternal |paternal )?(?:grandad|granddad|grandpa|grandfather)",
    "aunt": r"aunt|auntie|aunty", "uncle": r"uncle", "cousin": r"cousin",
    "brother": r"(?:older |younger |big |little |half[- ]|step-?)?brother",
    "sister": r"(?:older |younger |big |little |half[- ]|step-?)?sister",
    "sibling": r"sibling", "boyfriend": r"boyfriend", "girlfriend": r"girlfriend", "friend": r"(?:best )?friend",
    "partner": r"partner", "foster carer": r"foster carers?", "carer": r"carer",
}
_ROLE_RE = "|".join(f"(?P<r{i}>{p})" for i, p in enumerate(_ROLES.values()))
# Lazy, so "Mum's partner" is read as one role before "Mum's" is taken as whose partner.
_WHOSE = r"(?:the |her |his |their |its |[A-Z][a-z]+['’]s |the (?:child|children|baby|boys|girls)['’]s? )??"
_NAME = rf"(?P<name>{NAME_TOKEN}(?:\s+{NAME_TOKEN})?)"
_RELATION_PATTERNS = [
    # "mum, Sarah,", "her brother Mason", "Mum's partner Dean", "Dad (Jordan)"
    re.compile(rf"(?i:\b{_WHOSE}(?:{_ROLE_RE}))(?:[ \t]*[(,\-–][ \t]*|[ \t]+)(?:(?i:called|named)\s+)?{_NAME}"),
    # "Jordan (dad)", "Jess (the children's mother)"
    re.compile(rf"\b{_NAME}\s*\((?i:{_WHOSE}(?:{_ROLE_RE}))\)"),
    # "Lee, the children's father"
    re.compile(rf"\b{_NAME},\s+(?i:{_WHOSE}(?:{_ROLE_RE}))\b"),
]
_TITLE_NAME = re.compile(r"\b(?P<title>" + "|".join(sorted((t.capitalize() for t in TITLES), key=len, reverse=True))
                         + r"|" + "|".join(t.upper() for t in TITLES if len(t) <= 3)
                         + rf")\.?\s+(?P<name>{NAME_TOKEN}(?:\s+{NAME_TOKEN})?)")
_ALIAS = re.compile(rf"\b(?P<name>{NAME_TOKEN})\s*(?:\(\s*(?:known as|aka|called)?\s*|,?\s+(?:known as|aka|"
                    rf"who (?:prefers|likes) to be called|nicknamed)\s+)[\"'“‘]?(?P<alias>{NAME_TOKEN})[\"'”’]?")


def _role_of(match: re.Match) -> str:
    for i, role in enumerate(_ROLES):
        if match.groupdict().get(f"r{i}"):
            return role
    return "person"


def _trim(name: str, extra: frozenset[str]) -> list[str]:
    """A relation's name, shorn of a following ordinary word ("Mason was" is caught as "Mason")."""
    tokens = name.split()
    if len(tokens) == 2 and is_word(tokens[1], extra) and not is_word(tokens[0], extra):
        return tokens[:1]
    if len(tokens) == 2 and is_word(tokens[1], extra):
        return tokens[:1]
    return tokens


def relation_people(text: str, extra: frozenset[str] = frozenset()) -> list[Person]:
    """People the text introduces with a relation: "her brother Mason" -> Mason, brother."""
    out = []
    for pattern in _RELATION_PATTERNS:
        for m in pattern.finditer(text):
            tokens = _trim(m.group("name"), extra)
            if not tokens or tokens[0].lower() in RELATION_WORDS | _FUNCTION_WORDS | _MONTHS_DAYS | ORG_WORDS:
                continue
            if tokens[0].lower() in TITLES:
                continue
            out.append(Person(key=" ".join(t.lower() for t in tokens), role=_role_of(m), forms=name_forms(tokens)))
    return out


def titled_people(text: str, extra: frozenset[str] = frozenset()) -> list[Person]:
    """People named with a title: "Mr Price", "DS Karen Holloway", "Dr Patel"."""
    out = []
    for m in _TITLE_NAME.finditer(text):
        tokens = m.group("name").split()
        if len(tokens) == 2 and is_word(tokens[1], extra) and tokens[1].lower() not in ORG_WORDS:
            tokens = tokens[:1]  # "Mr Price said": the second word is not part of the name
        if any(t.lower() in ORG_WORDS for t in tokens):
            continue  # "Dr Smith Surgery" is a place
        title = m.group("title")
        person = Person(key=" ".join(t.lower() for t in tokens), role="professional", titled=True,
                        forms={f"{title} {' '.join(tokens)}", f"{title}. {' '.join(tokens)}"})
        if len(tokens) > 1:
            person.forms |= name_forms(tokens)
        out.append(person)
    return out


def alias_pairs(text: str) -> list[tuple[str, str]]:
    """(name, nickname) pairs: "Kieran (known as Kez)", "Kieran, known as 'Kez'"."""
    return [(m.group("name"), m.group("alias")) for m in _ALIAS.finditer(text)]


def _at_sentence_start(text: str, start: int) -> bool:
    return bool(_SENTENCE_START.search(text[max(0, start - 4):start])) or start == 0


def unknown_people(text: str, keep: frozenset[str], extra: frozenset[str] = frozenset()) -> list[Person]:
    """Runs of capitalised words holding a word that is not ordinary English ("Tiana", "Laura Pennington"), unless
    the run is an organisation or a place ("Kingsmere Park Academy") or a word of an agency's name (``keep``).

    A capitalised ordinary word joins the run only next to an unknown one; a capitalised ordinary word with a
    possessive mid-sentence ("and Mason's plan") is a name too, unless it is a relation, an organisation word, a
    month or in ``keep``."""
    out = []
    for m in _CAPS_RUN.finditer(text):
        raw = m.group(0)
        tokens = [re.sub(r"['’]s?$", "", t) for t in raw.split()]
        lowered = [t.lower() for t in tokens]
        if any(t in ORG_WORDS for t in lowered) or (m.start() >= 3 and text[m.start() - 3:m.start()] in ("St ", "St.")):
            continue
        if lowered[0] in TITLES:
            continue  # titled_people reads these
        at_start = _at_sentence_start(text, m.start())
        unknown = [(not is_word(t, extra) or (t.lower() in name_like_words() and (i or not at_start)))
                   and t.lower() not in keep for i, t in enumerate(tokens)]
        if any(unknown):
            # Keep leading ordinary words out of the name when they start the sentence ("Staff told Tiana").
            first = unknown.index(True)
            name = tokens[first:] if first and at_start else tokens
            name = [t for t in name if t.lower() not in keep and t.lower() not in _FUNCTION_WORDS | _MONTHS_DAYS]
            unknown_tokens = {t for t, u in zip(tokens, unknown) if u}
            while len(name) > 2 and name[-1] not in unknown_tokens:
                name = name[:-1]  # "Tiana Okonjo Youth Service": the ordinary words after a name are not it
            if name:
                out.append(Person(key=" ".join(t.lower() for t in name), role="person", forms=name_forms(name)))
            continue
        possessive = raw.endswith(("'s", "’s")) and len(tokens) == 1
        if possessive and not _at_sentence_start(text, m.start()):
            w = lowered[0]
            if w not in RELATION_WORDS and w not in _MONTHS_DAYS and w not in keep and w not in _FUNCTION_WORDS:
                out.append(Person(key=w, role="person", forms={tokens[0]}))
    return out


def lower_case_words(texts: list[str]) -> frozenset[str]:
    """Words the returns use in lower case more than once: ordinary words of this audit ("whilst", "genograms")."""
    counts = Counter(w for t in texts for w in re.findall(r"(?<![\w'’-])[a-z][a-z'’-]+", t))
    return frozenset(w for w, n in counts.items() if n > 1)


def agency_words(records: list[AuditReturn]) -> frozenset[str]:
    """Lower-case words of every agency's name, which the text may use on their own ("Kingsmere")."""
    return frozenset(w.lower() for r in records for w in re.findall(r"[A-Za-z][A-Za-z'’-]+", r.header.agency or ""))


def record_texts(record: AuditReturn) -> list[str]:
    """Every free text in a return that could name someone (answers, comments, unplaced text)."""
    texts = [a.answer for a in record.answers if a.answer]
    texts += [c.text for c in record.comments] + list(record.extraction.unmatched_text)
    texts += list(record.header.extra.values())  # a reviewer or chair the template has no field for
    return texts


def people_in(record: AuditReturn, keep: frozenset[str] = frozenset(), extra: frozenset[str] = frozenset()) -> list[Person]:
    """Every person one return names: header people first, then relations, titles and unknown capitalised words.

    ``keep`` holds lower-case words never to read as names (agency names); ``extra`` more ordinary words."""
    from pipeline.themes.people import children_by_age

    h = record.header
    people = header_people(h.child, "child") + header_people(h.practitioner, "professional") \
        + header_people(h.auditor, "professional")
    people += [Person(key=c.author.lower(), role="professional", forms=name_forms(c.author.split()))
               for c in record.comments if c.author and c.author.strip() and not c.author.isupper()]
    texts = record_texts(record)
    for text in texts:
        people += relation_people(text, extra) + titled_people(text, extra)
    named = {p.key for p in people}
    for name in children_by_age(texts):  # "Poppy (7)": an age makes even an ordinary word a name
        if name.lower() not in named and name.lower() not in ORG_WORDS | ROLE_WORDS | _MONTHS_DAYS | _TRADE_WORDS:
            people.append(Person(key=name.lower(), role="person", forms={name}))
    for text in texts:
        people += unknown_people(text, keep, extra)
    return people
