"""The control registry: automated checks of obligations, each tied to topics and so to articles.

Apps register their controls at start-up (`@control(...)` in their `controls.py`, imported by their
AppConfig.ready); the registry never imports the apps. A contract's provisions map topics to its own
article numbers, so one control serves every city's text.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from itaku.provisions.topics import TOPICS


class State(enum.StrEnum):
    OK = "ok"
    DUE_SOON = "due_soon"
    MISSING = "missing_evidence"
    OVERDUE = "overdue"
    VIOLATION = "violation"

    @property
    def severity(self) -> int:
        return list(State).index(self)

    @property
    def label_ja(self) -> str:
        return _LABELS[self][0]

    @property
    def label_en(self) -> str:
        return _LABELS[self][1]


_LABELS = {
    State.OK: ("適合", "OK"),
    State.DUE_SOON: ("期限間近", "Due soon"),
    State.MISSING: ("証跡なし", "Missing evidence"),
    State.OVERDUE: ("期限超過", "Overdue"),
    State.VIOLATION: ("違反", "Violation"),
}


@dataclass(frozen=True)
class Evidence:
    """A reference that proves a finding: a ledger event (`ledger:<chain>#<seq>`) or an object."""

    ref: str
    label: str = ""

    @classmethod
    def event(cls, event: Any) -> Evidence:
        return cls(f"ledger:{event.chain}#{event.seq}", event.kind)

    @classmethod
    def object(cls, obj: Any, label: str = "") -> Evidence:
        return cls(f"{obj._meta.label_lower}:{obj.pk}", label or str(obj))


@dataclass(frozen=True)
class Finding:
    state: State
    message_ja: str
    message_en: str
    evidence: tuple[Evidence, ...] = ()


Check = Callable[[Any], Iterable[Finding]]


@dataclass(frozen=True)
class Control:
    code: str
    topics: tuple[str, ...]
    title_ja: str
    title_en: str
    check: Check


@dataclass(frozen=True)
class Result:
    """One control evaluated on one contract."""

    control: Control
    articles: tuple[int, ...]
    findings: tuple[Finding, ...]
    state: State = field(init=False)

    def __post_init__(self) -> None:
        worst = max((f.state for f in self.findings), key=lambda s: s.severity, default=State.OK)
        object.__setattr__(self, "state", worst)

    def as_json(self) -> dict[str, Any]:
        return {
            "control": self.control.code,
            "title": {"ja": self.control.title_ja, "en": self.control.title_en},
            "articles": list(self.articles),
            "state": self.state.value,
            "findings": [
                {"state": f.state.value, "message": {"ja": f.message_ja, "en": f.message_en},
                 "evidence": [{"ref": e.ref, "label": e.label} for e in f.evidence]}
                for f in self.findings
            ],
        }


_registry: dict[str, Control] = {}
_TOPIC_CODES = {t.code for t in TOPICS}


def control(code: str, *, topics: Sequence[str], title_ja: str, title_en: str) -> Callable[[Check], Check]:
    """Register a check under `code`; `topics` say which obligations (and so which articles) it covers."""
    unknown = set(topics) - _TOPIC_CODES
    if unknown:
        raise ValueError(f"control {code}: unknown topics {sorted(unknown)}")

    def decorator(check: Check) -> Check:
        if code in _registry:
            raise ValueError(f"control {code} is registered twice")
        _registry[code] = Control(code, tuple(topics), title_ja, title_en, check)
        return check

    return decorator


def registered() -> list[Control]:
    return sorted(_registry.values(), key=lambda c: c.code)


def articles_for(topics: Iterable[str], article_topics: Mapping[int, Sequence[str]]) -> tuple[int, ...]:
    """The article numbers of one text that carry any of `topics`."""
    wanted = set(topics)
    return tuple(sorted(n for n, codes in article_topics.items() if wanted & set(codes)))


def controlled_articles(article_topics: Mapping[int, Sequence[str]]) -> set[int]:
    """The article numbers of one text that some registered control covers: the columns of a grid."""
    return {n for ctl in registered() for n in articles_for(ctl.topics, article_topics)}


def evaluate(subject: Any, article_topics: Mapping[int, Sequence[str]]) -> list[Result]:
    """Run every registered control on `subject` (a contract)."""
    results = []
    for ctl in registered():
        findings = tuple(ctl.check(subject)) or (Finding(State.OK, "問題ありません。", "No findings."),)
        results.append(Result(ctl, articles_for(ctl.topics, article_topics), findings))
    return results


def worst(results: Iterable[Result]) -> State:
    return max((r.state for r in results), key=lambda s: s.severity, default=State.OK)
