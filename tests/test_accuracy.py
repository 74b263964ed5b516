"""The pipeline against what a careful person transcribed from each bundled sample (samples/expected.yaml)."""

import re
from datetime import date
from functools import lru_cache
from pathlib import Path

import pytest
import yaml

from models.errors import UnreadableFile
from models.settings import Settings
from pipeline.intake.process import read_return
from pipeline.templates.registry import load_templates

ROOT = Path(__file__).resolve().parent.parent
RETURNS = ROOT / "samples" / "returns"
EXPECTED = yaml.safe_load((ROOT / "samples" / "expected.yaml").read_text(encoding="utf-8"))["samples"]


def _norm(text: str | None, printed: bool) -> str | None:
    if text is None or not printed:
        return text
    return re.sub(r"\s+", " ", text).strip()


@lru_cache(maxsize=None)
def _read(name: str):
    try:
        return read_return(RETURNS / name, Settings(), load_templates(), today=date(2026, 11, 1))
    except UnreadableFile as e:
        return e


# Known gaps, each with its cause; strict, so a fix makes the test fail until the entry is removed.
KNOWN_GAPS = {
}


@pytest.mark.parametrize("name", [
    pytest.param(n, marks=pytest.mark.xfail(reason=KNOWN_GAPS[n], strict=True)) if n in KNOWN_GAPS else n
    for n in sorted(EXPECTED)
])
def test_sample_reads_as_a_person_transcribed_it(name):
    truth = EXPECTED[name]
    got = _read(name)
    if truth["outcome"] == "quarantined":
        assert isinstance(got, UnreadableFile)
        if truth.get("code"):
            assert got.code == truth["code"]
        return
    assert not isinstance(got, UnreadableFile), str(got)
    printed = name.endswith(".pdf")
    assert got.template.id == truth["template"]
    header, want = got.header.model_dump(exclude={"extra"}), dict(truth["header"])
    extra = want.pop("extra", {})  # header fields the form prints and its template lacks
    assert header == {k: _norm(v, printed) for k, v in want.items()} if not printed \
        else {k: _norm(v, True) for k, v in header.items()} == {k: _norm(v, True) for k, v in want.items()}
    assert {k: _norm(v, printed) for k, v in got.header.extra.items()} == {k: _norm(v, printed) for k, v in extra.items()}
    wrong = []
    for answer in got.answers:
        want = truth["answers"][answer.id]
        if answer.status.value != want["status"] or _norm(answer.answer, printed) != _norm(want["answer"], printed):
            wrong.append((answer.id, answer.status.value, answer.answer[:60], want["status"], want["answer"][:60]))
    assert wrong == []
    grade = truth.get("grade") or {}
    assert (got.grade.value, got.grade.problem) == (grade.get("value"), grade.get("problem"))
