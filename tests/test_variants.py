"""Every built-in template round-trips: forms filled in the ways Word allows read back as filled (bench/variants.py).

The bench runs hundreds of these; this test runs a few with a seed the bench does not use, so a regression in
extraction, detection or mapping on any template fails here first.
"""

import sys
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from variants import make_variants  # noqa: E402

from models.settings import Settings  # noqa: E402
from pipeline.intake.process import read_return  # noqa: E402
from pipeline.templates.registry import load_templates  # noqa: E402


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    folder = tmp_path_factory.mktemp("variants")
    templates = load_templates()
    out = []
    for v in make_variants(folder, per_template=5, seed=2026):
        out.append((v, read_return(v.path, Settings(), templates, today=date(2026, 11, 1))))
    return out


def test_every_template_is_detected(results):
    assert {v.truth.template for v, _ in results} == set(load_templates())
    assert [(v.name, r.template.id) for v, r in results if r.template.id != v.truth.template] == []


def test_answers_headers_and_grades_read_back(results):
    tally = Counter()
    wrong = []
    for v, record in results:
        for qid, (text, status) in v.truth.answers.items():
            got = record.answer(qid)
            ok = (got.answer, got.status.value) == (text, status)
            tally["answers", ok] += 1
            if not ok:
                wrong.append((v.name, qid, v.truth.answer_transforms[qid], text[:40], got.answer[:40]))
        header = record.header.model_dump()
        tally["headers", all(header[k] == want for k, want in v.truth.header.items() if k in header)] += 1
        if load_templates()[v.truth.template].grading:
            tally["grades", (record.grade.value, record.grade.problem) == v.truth.grade] += 1
    answers = tally["answers", True] / (tally["answers", True] + tally["answers", False])
    assert answers >= 0.98, wrong[:10]
    assert tally["headers", False] == 0 and tally["grades", False] == 0
