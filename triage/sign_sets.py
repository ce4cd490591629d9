"""The sets of indicators and categories the scoring rules read (triage/score.py)."""

from __future__ import annotations

# Categories that never raise a tip by themselves: context for the rules below.
CONTEXT = frozenset(
    {"smuggling", "sexwork", "info", "spam", "hoax", "urgency", "suspicion", "sector", "travel",
     "time", "person"}
)  # fmt: skip
# A minor together with any sign of these categories makes the tip critical. Movement counts
# unless the travel is lawful (a school trip, studies, the family): then it is no sign at all.
MINOR_TRIGGERS = frozenset(
    {"recruitment", "control", "documents", "debt", "wages", "isolation", "conditions", "sexual",
     "labour", "begging", "child", "movement", "danger", "complicity"}
)  # fmt: skip
# Signs that lift "smuggling alone" or "sex work alone": exploitation or control is present.
EXPLOITATION = frozenset(
    {"control", "documents", "debt", "wages", "isolation", "conditions", "sexual", "labour",
     "begging", "child", "danger"}
)  # fmt: skip
# Signs that make "tonight" or "help!" mean imminent danger.
SEVERE = frozenset(
    {"locked_in", "cannot_leave", "violence", "threats", "sold_person", "forced_prostitution",
     "coercion", "sexual_abuse", "forced_marriage", "held_by_force", "servitude",
     "online_child_abuse", "trafficked", "abduction"}
)  # fmt: skip
CONFINEMENT_WITH = frozenset(
    {"forced_prostitution", "violence", "threats", "sold_person", "sexual_abuse"}
)  # fmt: skip
# Held, harmed, and now: together they mean someone in danger today (see score()).
HELD = frozenset({"locked_in", "held_by_force", "cannot_leave", "documents_withheld", "servitude"})
HARMED = frozenset({"violence"})
NOW = frozenset({"urgent_time", "urgent_soon"})
# The weight from which one sign alone is concrete enough for medium.
CONCRETE_SIGN = 1.5
# Signs a lawful journey explains away (a child travelling alone to a parent).
LAWFUL = frozenset(
    {"child_unaccompanied", "passport_requested", "passport_requested_remote", "child_labour",
     "watched_escorted", "transport_paid"}
)  # fmt: skip
# Violence, threats or a partner's control (the phone taken, not let out) with no sign of
# exploitation: read with domestic_violence (see score()).
ABUSE_ONLY = frozenset(
    {"violence", "threats", "plea_for_help", "cannot_leave", "isolation", "watched_escorted"}
)  # fmt: skip
# Without one of these, signs of exploitation are a case for the day, not the hour.
CONTROL_SIGNS = frozenset(
    {"control", "documents", "debt", "danger", "trafficking", "sexual", "isolation", "complicity"}
)
# An offer that asks for papers, a fee or a journey to be repaid, with no sign that anyone is
# controlled yet: the labelling guide's "suspicious job offer" (medium), however many red flags
# it raises. OFFERED: at least one sign that the words are about an offer.
OFFER_STAGE = frozenset(
    {"false_job_offer", "job_offer", "recruitment_fee", "passport_requested_remote",
     "passport_requested", "online_recruitment", "deception", "lover_method", "marriage_promise",
     "online_contact", "unlicensed_agency", "transport_paid", "debt_bondage", "no_documents",
     "moved_abroad", "transported", "border_crossing", "poverty", "sent_to_work"}
)  # fmt: skip
OFFERED = frozenset(
    {"false_job_offer", "job_offer", "recruitment_fee", "passport_requested_remote",
     "passport_requested", "online_recruitment", "unlicensed_agency"}
)  # fmt: skip
# Signs that someone other than the family moves, sends or uses a child, or that the journey is
# to a marriage or to work in a household (see "travel_question" and "family_dispute").
MOVED_BY_OTHERS = frozenset(
    {"transported", "stranger_companion", "child_unaccompanied", "payment_to_family",
     "child_labour", "child_sexual_context", "out_of_school", "sent_to_work", "child_marriage",
     "child_domestic_work"}
)  # fmt: skip
# What separated parents' quarrel over a child says besides the journey: the other parent will
# not let them call, does not pay for the child, cannot be reached (see "family_dispute").
CUSTODY_QUARREL = frozenset(
    {"watched_escorted", "missing_contact", "wages_withheld", "isolation", "plea_for_help",
     "minor_mentioned", "minor_stated", "moved_abroad", "border_crossing", "transported",
     "destination_country", "returnee", "fear"}
)  # fmt: skip
# A teenager's job asked about by the family: work and the child words, nothing else (see
# "work_question"). From 15 a summer job is common and can be lawful; a younger child working is
# a sign by itself.
LIGHT_WORK = frozenset({"child_labour", "minor_mentioned", "minor_stated"})
WORKING_AGE = 15
FORCED = frozenset({"forced_labour", "forced_criminality", "begging_organised", "servitude"})
# Exploitation that threats or violence make a case for the hour.
HARMED_AT_WORK = frozenset({"labour", "wages", "sexual", "begging", "debt", "documents"})
# A plea for help and little else ("ndihmë", "help me pls") is someone in danger now.
SHORT_PLEA_WORDS = 6
SHORT_MESSAGE_WORDS = 15
# A message of at least this many words, with no question or greeting, describes something.
DESCRIPTION_WORDS = 14
# A first-person victim ("më mbajnë me zor", "I can't leave") describing control or sexual
# exploitation, or two kinds of exploitation at once, is a strong sign.
FIRST_PERSON_CONTROL = frozenset({"control", "sexual"})
