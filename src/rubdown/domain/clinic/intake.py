"""Intake: a client's health history and consent, signed and dated, valid for one year, with
a contraindication screen drawn from the knowledge base.

The screen's questions live in ``knowledge/screening.toml``, each with the public sources it
rests on: the red flags and warning signs the rules engine already knows (X1 and R3-R5) and
the common screening questions of massage practice (blood thinners, a history of clots,
recent surgery or fracture, pregnancy, skin infections, fever ...). A question answered yes
either blocks some kinds of massage -- every kind or only firm work (the deep family and
sports massage), on the whole body, on the regions the client named, or on the whole of a
named leg -- or only warns.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from rubdown.domain.clinic.booking_rules import ClientRef
from rubdown.domain.model import Family, SessionKind
from rubdown.domain.regions import Region, leg_of
from rubdown.domain.safety import touches
from rubdown.errors import InvalidValue, KnowledgeBaseError

VALID_YEARS = 1


class Effect(StrEnum):
    BLOCK = "block"
    WARN = "warn"


class Reach(StrEnum):
    """Which kinds a yes keeps off: every kind, or firm work only (deep family and sports)."""

    ALL = "all"
    FIRM = "firm"

    def covers(self, kind: SessionKind) -> bool:
        return self is Reach.ALL or kind.family in (Family.DEEP, Family.SPORTS)

    @property
    def words(self) -> str:
        return "any massage" if self is Reach.ALL else "firm work (deep tissue and sports massage)"


class Where(StrEnum):
    """Where a yes keeps massage off: the whole body, the regions named in the answer, or
    the whole of each leg a named region is in (a possible clot, R5)."""

    BODY = "body"
    REGION = "region"
    LEG = "leg"


@dataclass(frozen=True)
class ScreeningSource:
    key: str
    title: str
    url: str


@dataclass(frozen=True)
class Question:
    id: str
    title: str  # "blood thinners"
    asks: str  # the question as the client reads it
    effect: Effect
    reach: Reach
    where: Where
    why: str  # one line, in our words, of what the sources say
    sources: tuple[str, ...]
    rules: tuple[str, ...] = ()  # rules of the knowledge base it repeats (X1, R3-R5)


@dataclass(frozen=True)
class Screening:
    questions: tuple[Question, ...]
    sources: Mapping[str, ScreeningSource]

    def question(self, question_id: str) -> Question:
        for question in self.questions:
            if question.id == question_id:
                return question
        raise InvalidValue(f"no intake question {question_id!r}")

    def cite(self, question: Question) -> str:
        """``"NHS: Deep vein thrombosis <https://...>"``: its first source, as refusals cite it."""
        source = self.sources[question.sources[0]]
        return f"{source.title} <{source.url}>"


_QUESTION_KEYS = {"id", "title", "asks", "effect", "reach", "where", "why", "sources", "rules"}
_SOURCE_KEYS = {"key", "title", "url"}


def parse_screening(text: str, known_rules: frozenset[str] = frozenset()) -> Screening:
    """The screen from ``screening.toml``'s text; a mistake in it is a packaging bug and
    raises ``KnowledgeBaseError`` naming the question. ``known_rules`` (the knowledge base's
    rule IDs), when given, must hold every rule a question names."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise KnowledgeBaseError(f"screening.toml: not valid TOML: {error}") from None
    unknown = set(document) - {"source", "question"}
    if unknown:
        raise KnowledgeBaseError(f"screening.toml: unknown key {sorted(unknown)[0]!r}")
    sources: dict[str, ScreeningSource] = {}
    for raw in document.get("source", []):
        where = f"screening.toml: source {raw.get('key', '?')}"
        _keys(raw, _SOURCE_KEYS, where)
        url = str(raw["url"])
        if not url.startswith("https://"):
            raise KnowledgeBaseError(f"{where}: the url must start with https://")
        sources[str(raw["key"])] = ScreeningSource(str(raw["key"]), str(raw["title"]), url)
    questions: list[Question] = []
    for raw in document.get("question", []):
        where = f"screening.toml: question {raw.get('id', '?')}"
        _keys(raw, _QUESTION_KEYS - {"rules"}, where, optional={"rules"})
        try:
            question = Question(
                id=str(raw["id"]),
                title=str(raw["title"]),
                asks=" ".join(str(raw["asks"]).split()),
                effect=Effect(raw["effect"]),
                reach=Reach(raw["reach"]),
                where=Where(raw["where"]),
                why=" ".join(str(raw["why"]).split()),
                sources=tuple(raw["sources"]),
                rules=tuple(raw.get("rules", ())),
            )
        except ValueError as error:
            raise KnowledgeBaseError(f"{where}: {error}") from None
        if not question.sources or any(key not in sources for key in question.sources):
            raise KnowledgeBaseError(f"{where}: names no source, or one not listed")
        missing = [rule for rule in question.rules if known_rules and rule not in known_rules]
        if missing:
            raise KnowledgeBaseError(f"{where}: names unknown rule {missing[0]}")
        if any(q.id == question.id for q in questions):
            raise KnowledgeBaseError(f"{where}: defined twice")
        questions.append(question)
    if not questions:
        raise KnowledgeBaseError("screening.toml: no questions")
    return Screening(tuple(questions), sources)


def _keys(
    raw: Mapping[str, object], wanted: set[str], where: str, optional: set[str] | None = None
) -> None:
    missing = wanted - set(raw)
    extra = set(raw) - wanted - (optional or set())
    if missing:
        raise KnowledgeBaseError(f"{where}: missing {sorted(missing)[0]!r}")
    if extra:
        raise KnowledgeBaseError(f"{where}: unknown key {sorted(extra)[0]!r}")


@dataclass(frozen=True)
class Answer:
    question_id: str
    yes: bool
    regions: tuple[Region, ...] = ()  # where, for a question asked of a region
    detail: str = ""


@dataclass(frozen=True)
class Intake:
    """A signed form: the answers, the client's health history in their words, their
    consent to treatment, and the typed name and moment of signing."""

    client: ClientRef
    answers: tuple[Answer, ...]
    signed_name: str
    signed_at: dt.datetime  # aware
    consent: bool = True
    health_history: str = ""
    id: str = ""

    @property
    def expires_at(self) -> dt.datetime:
        """A year after signing, to the day (29 February signs until 28 February)."""
        signed = self.signed_at
        try:
            return signed.replace(year=signed.year + VALID_YEARS)
        except ValueError:
            return signed.replace(year=signed.year + VALID_YEARS, day=28)

    def valid_at(self, moment: dt.datetime) -> bool:
        return self.signed_at <= moment < self.expires_at

    def answer(self, question_id: str) -> Answer | None:
        return next((a for a in self.answers if a.question_id == question_id), None)


def make_intake(
    screening: Screening,
    client: ClientRef,
    answers: Sequence[Answer],
    signed_name: str,
    signed_at: dt.datetime,
    *,
    consent: bool,
    health_history: str = "",
) -> Intake:
    """A signed intake, once every question is answered once and the form is signed."""
    if signed_at.tzinfo is None:
        raise InvalidValue("the moment of signing must carry its time zone")
    if not signed_name.strip():
        raise InvalidValue("sign the form: type your full name")
    if not consent:
        raise InvalidValue("the form needs the client's consent to treatment")
    by_id: dict[str, Answer] = {}
    for answer in answers:
        question = screening.question(answer.question_id)
        if answer.question_id in by_id:
            raise InvalidValue(f"question {answer.question_id} is answered twice")
        if answer.yes and question.where is not Where.BODY and not answer.regions:
            raise InvalidValue(f"{question.title} ({question.id}): say which body region")
        by_id[answer.question_id] = answer
    unanswered = [q.id for q in screening.questions if q.id not in by_id]
    if unanswered:
        raise InvalidValue(f"answer every question; {unanswered[0]} has no answer")
    ordered = tuple(by_id[q.id] for q in screening.questions)
    return Intake(client, ordered, signed_name.strip(), signed_at, consent, health_history.strip())


@dataclass(frozen=True)
class ScreenFinding:
    question: Question
    forbids: bool
    message: str


def screen(
    intake: Intake, screening: Screening, kind: SessionKind, regions: tuple[Region, ...] = ()
) -> list[ScreenFinding]:
    """What the intake's yes answers say about ``kind`` on ``regions`` (empty: whole body).

    A blocking answer refuses the session when its reach covers the kind and its place is
    touched (a whole-body session touches every place); a blocked place away from the regions
    named, or a warning, is said without refusing."""
    findings: list[ScreenFinding] = []
    for answer in intake.answers:
        if not answer.yes:
            continue
        question = screening.question(answer.question_id)
        cited = f"{question.title} ({question.why}; {screening.cite(question)})"
        if question.effect is Effect.WARN:
            findings.append(ScreenFinding(question, False, f"the intake notes {cited}"))
            continue
        if not question.reach.covers(kind):
            continue
        blocked = _blocked(question, answer)
        if blocked is None:
            findings.append(
                ScreenFinding(
                    question, True, f"{kind.label} refused: the intake answers yes to {cited}"
                )
            )
            continue
        places = ", ".join(r.label for r in blocked)
        if not regions or any(touches(r, blocked) for r in regions):
            scope = (
                f"a whole-body session touches the {places}: name the regions to work on"
                if not regions
                else f"no {question.reach.words} on the {places}"
            )
            message = f"{kind.label} refused: the intake answers yes to {cited}; {scope}"
            findings.append(ScreenFinding(question, True, message))
        else:
            findings.append(
                ScreenFinding(
                    question, False, f"the intake answers yes to {cited}, away from the regions"
                )
            )
    return findings


def _blocked(question: Question, answer: Answer) -> tuple[Region, ...] | None:
    """The regions a blocking answer keeps massage off; None for the whole body."""
    if question.where is Where.BODY:
        return None
    if question.where is Where.LEG:
        found: dict[Region, None] = {}
        for region in answer.regions:
            found.update(dict.fromkeys(leg_of(region)))
        return tuple(found)
    return answer.regions
