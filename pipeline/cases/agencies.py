"""Agency names as written ("Kingsmere CAMHS", "Child and Adolescent Mental Health Service") -> agency types.

The register is data: pipeline/data/agencies.yaml, with WORKSPACE/agencies.yaml on top. The name an agency wrote
is never changed; its type is what counts when returns are compared, expected and chased.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import yaml
from rapidfuzz import fuzz

from models.errors import ConfigError
from pipeline.config import read_workspace_yaml
from pipeline.text import normalise

OTHER = "other"
AGENCIES_FILE = "agencies.yaml"
_NON_WORD = re.compile(r"[^a-z0-9&]+")


@dataclass(frozen=True)
class AgencyType:
    id: str
    label: str
    aliases: tuple[str, ...]


AgencyRegister = dict[str, AgencyType]


def _words(text: str) -> str:
    """Lower-case words separated by single spaces ("Children's Services - 0-19" -> "children s services 0 19")."""
    return _NON_WORD.sub(" ", normalise(text)).strip()


def _parse(data: object, source: str) -> dict[str, dict]:
    if not isinstance(data, dict) or not isinstance(data.get("types", {}), dict):
        raise ConfigError(f"{source}: expected 'types:' mapping each agency type to a label and aliases")
    out = {}
    for key, value in (data.get("types") or {}).items():
        if not re.fullmatch(r"[a-z][a-z0-9_]*", str(key)) or not isinstance(value, dict):
            raise ConfigError(f"{source}: agency type '{key}' needs a lower-case id and a mapping with label/aliases")
        aliases = value.get("aliases", [])
        if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases):
            raise ConfigError(f"{source}: agency type '{key}': aliases must be a list of names")
        out[key] = {"label": value.get("label"), "aliases": aliases}
    return out


def load_agency_register(workspace: Path | None = None) -> AgencyRegister:
    """The built-in agency types, with WORKSPACE/agencies.yaml (when present) adding aliases and types."""
    builtin = yaml.safe_load((resources.files("pipeline") / "data" / AGENCIES_FILE).read_text(encoding="utf-8"))
    merged = _parse(builtin, "pipeline/data/agencies.yaml")
    path = Path(workspace) / AGENCIES_FILE if workspace else None
    if path is not None and path.is_file():
        extra = read_workspace_yaml(path)
        for key, value in _parse(extra, str(path)).items():
            base = merged.setdefault(key, {"label": None, "aliases": []})
            base["label"] = value["label"] or base["label"]
            base["aliases"] = [*base["aliases"], *value["aliases"]]
    return {key: AgencyType(key, value["label"] or key.replace("_", " ").capitalize(),
                            tuple(dict.fromkeys(_words(a) for a in [key.replace("_", " "), *value["aliases"]])))
            for key, value in merged.items()}


def agency_type(name: str | None, register: AgencyRegister) -> str:
    """The agency type a name counts as: the type with the longest alias found in it as whole words, else the
    closest alias when a word is misspelt ("Helth Visiting"), else "other"."""
    words = _words(name or "")
    if not words:
        return OTHER
    padded = f" {words} "
    best, best_len = OTHER, 0
    for t in register.values():
        for alias in t.aliases:
            if len(alias) > best_len and f" {alias} " in padded:
                best, best_len = t.id, len(alias)
    if best != OTHER:
        return best
    best_score = 0.0
    for t in register.values():
        for alias in t.aliases:
            if len(alias) >= 7:  # short aliases (gp, csc, dsl) would match anything fuzzily
                score = fuzz.partial_ratio(alias, words)
                if score >= 88 and score > best_score:
                    best, best_score = t.id, score
    return best


def agency_label(type_id: str, register: AgencyRegister) -> str:
    """The label of an agency type ("health_visiting" -> "Health visiting"); "Other" for unknown ones."""
    t = register.get(type_id)
    return t.label if t else ("Other" if type_id == OTHER else type_id)
