"""Score and band: weights of the signs found, then the rules that override them.

The gate comes last and is the strictest rule: a tip is `not_a_tip` only when no sign of a case
fired at all. A question, a greeting or an apology next to a report never hides it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from triage.catalogue import Indicator
from triage.reading import is_imminent, read
from triage.sign_sets import (
    ABUSE_ONLY,
    CONCRETE_SIGN,
    CONFINEMENT_WITH,
    CONTEXT,
    CONTROL_SIGNS,
    CUSTODY_QUARREL,
    DESCRIPTION_WORDS,
    EXPLOITATION,
    FIRST_PERSON_CONTROL,
    FORCED,
    HARMED,
    HARMED_AT_WORK,
    HELD,
    LIGHT_WORK,
    MINOR_TRIGGERS,
    MOVED_BY_OTHERS,
    NOW,
    OFFER_STAGE,
    OFFERED,
    SHORT_MESSAGE_WORDS,
    SHORT_PLEA_WORDS,
    WORKING_AGE,
)
from triage.weights import capped_sum, palermo_bonus

BANDS = ("critical", "high", "medium", "low", "not_a_tip")
# Critical is never reached by adding weights: only the rules below make a tip critical (a
# child, danger now, confinement with abuse, a sale). Many signs about an adult are high.
THRESHOLDS = (("high", 5.0), ("medium", 2.5))
# The score from which signs about someone else outweigh a laugh (development set, 4th round).
JOKE_CEILING = 7.5
# The score from which a question about the subject comes with a case of its own ("what is the
# difference between smuggling and trafficking? asking because my brother owes them 15k...").
AWARENESS_CEILING = 6.5


@dataclass(frozen=True)
class Scored:
    """Band, score, the rules that decided the band, and whether danger is imminent."""

    band: str
    score: float
    rules: tuple[str, ...]
    imminent: bool


# Context that makes a short "help" a question or a joke rather than a plea.
ASKING = frozenset({"info", "spam", "hoax"})


def context_of(fired: Sequence[Indicator]) -> frozenset[str]:
    """The context categories among the fired indicators."""
    return frozenset(i.category for i in fired if i.category in CONTEXT)


def _band_of(score: float) -> str:
    for band, threshold in THRESHOLDS:
        if score >= threshold:
            return band
    return "low"


def _cap(band: str, ceiling: str) -> str:
    return band if BANDS.index(band) >= BANDS.index(ceiling) else ceiling


def score(
    fired: Sequence[Indicator],
    minor: bool,
    minor_answer: bool,
    danger_answer: bool,
    caps: Mapping[str, float] | None = None,
    words: int = 0,
    stated_minor: bool = False,
    youngest: int | None = None,
) -> Scored:
    """Apply weights (capped per category) and the rules to the fired indicators.

    `stated_minor`: an age under 18, a school grade or "e mitur" is written (not a child word).
    `youngest`: the youngest age under 18 written in the tip, if any.
    """
    reading = read(fired)
    ids, categories = reading.ids, reading.categories
    total = round(capped_sum(fired, caps or {}) + palermo_bonus(reading.signs), 2)
    context = context_of(fired)
    rules: list[str] = ["minor_answer"] if minor_answer else []
    imminent = is_imminent(reading, danger_answer)

    if "joke" in ids and not danger_answer and total < THRESHOLDS[0][1]:
        # "lol", "haha": the alarming words are part of the joke, unless it is about someone's
        # prostitution, a child sold by a parent, a rumour, or the teller's own past as a
        # victim: then an official reads it (low).
        about_a_case = "sexual" in categories or bool(
            ids & {"survivor", "hearsay", "payment_to_family"}
        )
        band = "low" if reading.case and about_a_case else "not_a_tip"
        return Scored(band, total, (*rules, "joke"), False)
    concrete = any(i.weight >= CONCRETE_SIGN for i in reading.signs)
    # An advert sent to a child is a recruiter's approach to that child: read by the rules below.
    advert = "spam" in ids and not (categories - {"movement", "recruitment"}) and not minor
    if advert and not danger_answer:
        # An advert ("work abroad with us!") is not a case even when it names a job abroad; one
        # that asks for a fee or a passport is a recruiter's advert: an official reviews it.
        # One that recruits for abroad is the labelling guide's suspicious offer: medium.
        abroad = bool(ids & {"destination_country", "moved_abroad"}) and "deception" not in ids
        band = ("medium" if abroad else "low") if concrete else "not_a_tip"
        return Scored(band, total, (*rules, "advert"), False)
    if "awareness" in ids and not (danger_answer or ids & {"witnessed", "first_person"}):
        # A lesson, a school project, a film or an article about trafficking: its alarming words
        # are its subject, not a case. A survivor's own story told for one is still recorded; a
        # question that comes with many signs of its own is looked at today.
        if reading.case and total >= AWARENESS_CEILING:
            return Scored("medium", total, (*rules, "awareness"), False)
        told = reading.case and "survivor" in ids
        return Scored("low" if told else "not_a_tip", total, (*rules, "awareness"), False)
    if "hypothetical" in ids and not (danger_answer or "witnessed" in ids):
        # A parent's "what if" question is not a report, but a sign in it is read by an official.
        band = "low" if reading.case else "not_a_tip"
        return Scored(band, total, (*rules, "awareness"), False)
    # A chain message forwards a rumour; one who saw it or lived it is not forwarding one.
    chained = "chain_message" in ids and not ids & {"witnessed", "first_person"}
    # A laugh about one's own boss is a joke; many signs about somebody else are a report told
    # with a laugh ("lol my classmate (15) sells pics to a guy and now he wants videos").
    joking = "joke" in ids and ("first_person" in ids or total < JOKE_CEILING)
    if (chained or joking) and not danger_answer:
        band = _cap(_band_of(total), "low") if reading.case else "not_a_tip"
        return Scored(band, total, (*rules, "chain_message"), False)
    if "accused_reporter" in ids and not danger_answer:
        # "My ex says I trafficked our son": a dispute told by the accused, recorded, not alerted.
        band = _cap(_band_of(total), "low") if reading.case else "not_a_tip"
        return Scored(band, total, (*rules, "accused_reporter"), False)
    pleading = "plea_for_help" in ids and not context & ASKING
    if pleading and words <= SHORT_PLEA_WORDS:
        return Scored("critical", total, (*rules, "plea_alone"), True)
    if pleading and "movement" in categories and words <= SHORT_MESSAGE_WORDS:
        # "ndihmë, na çojnë jashtë": a short plea from someone being moved.
        return Scored("critical", total, (*rules, "imminent_danger"), True)
    # A child alone in the street late at night is a worry, not yet a sign of someone using them.
    in_street = "street" in {i.category for i in fired}
    # A port or a border crossing named as the place where a child begs is a place, not a move.
    kinds_but_the_place = {i.category for i in reading.signs if i.id != "border_crossing"}
    street_only = in_street and not (kinds_but_the_place - {"street", "conditions"})
    if minor and street_only and not imminent:
        return Scored("medium", total, (*rules, "child_in_street"), False)
    # Violence at home and nothing else (no work, sale, movement or confinement) is domestic
    # violence: recorded and referred, not a trafficking case.
    sign_ids = {i.id for i in reading.signs}
    # "Help" next to a question here asks for a service; danger now is said in words of time.
    danger_now = danger_answer or bool(ids & {"imminent_danger", "urgent_soon"})
    if "domestic_violence" in ids and sign_ids and sign_ids <= ABUSE_ONLY and not danger_now:
        return Scored(_cap(_band_of(total), "low"), total, (*rules, "domestic_violence"), False)
    # A job offered to a minor abroad by someone who is not a guardian is recruitment.
    lawful = "lawful_travel" in ids
    offered_abroad = "job_offer" in ids and bool(ids & {"destination_country", "moved_abroad"})
    # A child smuggled across a border is moved by someone who is not a guardian (the guide).
    smuggled = "smuggling" in context and not lawful
    # A child is never a sex worker: sex work told of a minor is sexual exploitation, whatever
    # "her choice" is said to be. A woman's own children named beside her work are not her age.
    sold_sex = "sexwork" in context and (stated_minor or not ids & {"voluntary", "own_children"})
    triggered = (
        bool(categories & MINOR_TRIGGERS) or (offered_abroad and not lawful) or smuggled or sold_sex
    )
    if (
        minor
        and "information_request" in ids
        and "movement" in categories
        and categories <= {"movement", "child"}
        and not ids & MOVED_BY_OTHERS
    ):
        # A question about a child's journey (papers for a trip, a move back home) with no sign
        # that anyone but the family moves the child: the guide's lawful travel, recorded low.
        return Scored("low", total, (*rules, "travel_question"), False)
    # Every indicator that is not context: the two family rules below allow nothing else.
    named = {i.id for i in fired if i.category not in CONTEXT}
    quarrel = minor and reading.case and {"family_dispute", "information_request"} <= ids
    if quarrel and named <= CUSTODY_QUARREL and not danger_now:
        # Separated parents' quarrel over a child's journey or calls: a matter for family law,
        # recorded low, unless the child is sold, married or exploited.
        return Scored("low", total, (*rules, "family_dispute"), False)
    teen = youngest is not None and youngest >= WORKING_AGE
    asked = reading.case and "information_request" in ids and "child_labour" in ids
    if teen and asked and named <= LIGHT_WORK:
        # A family's question about a teenager's summer job ("can a 16 year old work the summer
        # in a hotel?") with no sign of control, hours or harm: recorded low, not alerted.
        return Scored("low", total, (*rules, "work_question"), False)
    if minor and triggered and not reading.past and not street_only:
        return Scored("critical", total, (*rules, "minor_with_sign"), imminent)
    if imminent:
        rule = "danger_answer" if danger_answer else "imminent_danger"
        return Scored("critical", total, (*rules, rule), True)
    if reading.past:
        # A survivor telling their own past is recorded low (an official may help), not sent away.
        # Anything told about a past is recorded: a story that ended is low, never sent away.
        band = _cap(_band_of(total), "low")
        return Scored(band, total, (*rules, "past_event"), False)
    # A rumour of a sale or a confinement is not the sale or the confinement.
    if "locked_in" in ids and ids & CONFINEMENT_WITH and not reading.hearsay:
        return Scored("critical", total, (*rules, "confinement_with_abuse"), False)
    if "sold_person" in ids and not reading.hearsay:
        return Scored("critical", total, (*rules, "sale_of_person"), False)
    # Held (papers taken, cannot leave) and beaten or threatened, told by the victim or as of
    # today: someone in danger now, not a case for the hour.
    if ids & HELD and ids & HARMED and ids & NOW and not reading.hearsay:
        return Scored("critical", total, (*rules, "held_and_harmed_now"), False)

    band = _band_of(total)
    # No papers is what smuggling is about; it does not make smuggling exploitation.
    exploited = any(i.category in EXPLOITATION and i.id != "no_documents" for i in reading.signs)
    if "smuggling" in context and not exploited:
        return Scored(_cap(band, "low"), total, (*rules, "smuggling_alone"), False)
    # A sex worker who tells us herself that she works for herself, and that a client or an ex
    # threatened or hit her, is the victim of that person's crime, not of an exploiter. Told by
    # someone else ("she says it's her choice, but he hits her"), the violence still counts.
    own_word = "first_person" in ids
    by_a_third_party = any(
        i.category in {"control", "documents", "debt", "danger", "trafficking"}
        and not (own_word and i.id in {"threats", "violence", "blackmail"})
        for i in reading.signs
    )
    if "voluntary" in ids and "sexwork" in context and not by_a_third_party:
        return Scored(_cap(band, "low"), total, (*rules, "sex_work_alone"), False)
    # Sex work with a woman brought by someone, or with officials paid to look away, is not
    # "sex work alone" even when no other sign of exploitation was found.
    brought = bool(ids & {"transported", "official_complicity"})
    if "sexwork" in context and not exploited and not brought:
        return Scored(_cap(band, "low"), total, (*rules, "sex_work_alone"), False)
    if not reading.case:
        # The gate: only a message in which no sign of a case fired is not a tip, and only when
        # it reads like a greeting, a question or an advert. Anything else describes something
        # the catalogue does not know yet: low, so that an official reads it.
        asks = bool(context & {"info", "spam"})
        if asks or words < DESCRIPTION_WORDS:
            rule = "information_only" if asks else "no_signs"
            return Scored("not_a_tip", total, (*rules, rule), False)
        travel = bool(ids & {"moved_abroad", "transported", "border_crossing"})
        if lawful and minor and travel and not ids & {"job_offer", "labour_sector"}:
            # A child's journey with family or school, not for work, and no other sign.
            return Scored("low", total, (*rules, "lawful_journey"), False)
        return Scored("low", total, (*rules, "unrecognised_description"), False)
    if minor and in_street and BANDS.index(band) > 2:
        # A child alone in the street, begging or selling, with nobody seen controlling them.
        return Scored("medium", total, (*rules, "child_in_street"), False)
    if not reading.signs:
        return Scored("low", total, (*rules, "context_only"), False)
    if sign_ids == {"begging"} and not minor:
        # An adult who begs, with nobody seen bringing, watching or taking the money: a worry to
        # record (the labelling guide's vague suspicion), not a sign of forced begging.
        return Scored("low", total, (*rules, "begging_alone"), False)
    moved = bool(ids & {"transported", "moved_abroad", "documents_withheld"})
    if "official_complicity" in ids and (exploited or moved) and BANDS.index(band) > 1:
        # Officials who protect an exploitation are a case for the hour, whoever else is named.
        return Scored("high", total, (*rules, "complicity_with_exploitation"), False)
    harmed = bool(ids & {"violence", "threats"}) and "spam" not in ids
    if harmed and categories & HARMED_AT_WORK and BANDS.index(band) > 1:
        # Threats or violence together with exploitation (work, sex, begging, debt, papers) is a
        # case for the hour (the labelling guide's "high").
        return Scored("high", total, (*rules, "threats_with_exploitation"), False)
    if (
        "cannot_leave" in ids
        and len(sign_ids) >= 2
        and not reading.hearsay
        and BANDS.index(band) > 1
    ):
        # Not allowed to leave, and something more (papers, work, a minder, violence): the
        # labelling guide's adult who "cannot leave" is a case for the hour.
        return Scored("high", total, (*rules, "cannot_leave"), False)
    if ids & {"locked_in", "held_by_force"} and BANDS.index(band) > 1:
        # Someone locked in or held by force is a case for the hour, whatever else is said.
        return Scored("high", total, (*rules, "confinement"), False)
    strong = bool(categories & FIRST_PERSON_CONTROL) or (
        "documents" in categories and len(categories & EXPLOITATION) >= 2
    )
    if "first_person" in ids and strong and BANDS.index(band) > 1:
        return Scored("high", total, (*rules, "first_person_victim"), False)
    offer_only = sign_ids <= OFFER_STAGE and bool(sign_ids & OFFERED) and "sexwork" not in context
    if band == "high" and offer_only and not minor:
        # Red flags of an offer (a fee, the passport asked for, the ticket to repay) before
        # anyone is controlled: a case to look at today (development set, fifth round).
        return Scored("medium", total, (*rules, "offer_only"), False)
    if band == "high" and not (categories & CONTROL_SIGNS or ids & FORCED):
        # Poor pay, long hours or a doubtful offer with nobody controlling the person: a case to
        # look at today, not within the hour (the labelling guide's "medium").
        return Scored("medium", total, (*rules, "no_control"), False)
    if band == "low" and max(i.weight for i in reading.signs) >= CONCRETE_SIGN:
        # One concrete sign (wages withheld, documents taken...) is more than a suspicion.
        band = "medium"
    if reading.hearsay and BANDS.index(band) < BANDS.index("medium"):
        return Scored("medium", total, (*rules, "hearsay"), False)
    return Scored(band, total, tuple(rules), False)
