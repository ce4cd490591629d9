"""Check a job offer: yes/no questions → a risk level with reasons and next steps (pure logic).

Each question names the answer that is a warning sign and its weight. High risk: someone else
keeps the passport (ILO indicator: retention of identity documents) or warning signs weigh 6 or
more; "I don't know" adds 1 each towards medium risk only (find out before deciding).
"""

from __future__ import annotations

from dataclasses import dataclass

from locales.i18n import N_


@dataclass(frozen=True)
class Question:
    """One question, the answer that is a warning sign, its weight and the reason shown."""

    key: str
    text: str
    risky: bool
    weight: int
    reason: str


QUESTIONS: tuple[Question, ...] = (
    Question(
        "contact",
        N_("Did the offer come from an acquaintance, a relative or a new partner?"),
        True,
        1,
        N_("Offers through acquaintances, relatives or partners are a common way to recruit."),
    ),
    Question(
        "contract",
        N_("Will you have a written contract before you leave?"),
        False,
        2,
        N_("There is no written contract before you leave."),
    ),
    Question(
        "details",
        N_("Do you know the exact workplace address and the pay?"),
        False,
        2,
        N_("The workplace or the pay is not stated."),
    ),
    Question(
        "fees",
        N_("Do you have to pay a fee, or take on a debt for the journey or the job?"),
        True,
        2,
        N_("You are asked to pay a fee or take on a debt."),
    ),
    Question(
        "passport",
        N_("Will someone else keep your passport or documents?"),
        True,
        4,
        N_("Someone else would keep your passport or documents."),
    ),
    Question(
        "licensed",
        N_("Is the agency or employer licensed or registered?"),
        False,
        2,
        N_("The agency or employer is not licensed or registered."),
    ),
    Question(
        "pressure",
        N_("Are you pushed to decide quickly or to keep the offer secret?"),
        True,
        2,
        N_("You are pushed to decide quickly or to keep it secret."),
    ),
    Question(
        "too_good",
        N_("Is the pay much higher than usual for this kind of work?"),
        True,
        2,
        N_("The pay is much higher than usual for this work."),
    ),
)

HIGH, MEDIUM, LOW = "high", "medium", "low"
LEVEL_TEXT = {
    HIGH: N_(
        "High risk: this offer has several signs of a trap. Do not hand over your passport or "
        "money and do not leave before you get advice: call 116 006 (free). You can also send "
        "us these answers now, without your name."
    ),
    MEDIUM: N_(
        "Some warning signs. Before you decide, ask for a written contract and ask the free "
        "line 116 006 whether the agency is licensed."
    ),
    LOW: N_(
        "Few warning signs. Still keep your own passport, keep a copy of the contract and tell "
        "someone you trust where you will be."
    ),
}
UNKNOWN_NOTE = N_("Answers you did not know count as a warning sign: find out before you decide.")


@dataclass(frozen=True)
class Result:
    """The outcome of a check: level, score, reasons (message ids) and any unknown answers."""

    level: str
    score: int
    reasons: tuple[str, ...]
    unknown: int


def assess(answers: dict[str, bool | None]) -> Result:
    """Score the answers (True yes, False no, None don't know); missing answers count as unknown."""
    risky, reasons, unknown = 0, [], 0
    for question in QUESTIONS:
        answer = answers.get(question.key)
        if answer is None:
            unknown += 1
        elif answer is question.risky:
            risky += question.weight
            reasons.append(question.reason)
    score = risky + unknown
    passport = answers.get("passport") is True
    level = HIGH if passport or risky >= 6 else MEDIUM if score >= 3 else LOW
    return Result(level, score, tuple(reasons), unknown)
