"""Ages in a tip ("15 vjeç", "15-vjeçare", "pesëmbëdhjetë vjeç", "fifteen-year-old", "15 yo")."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache

from triage.normalise import fold

ADULT = 18

_SQ_UNITS = {
    "një": 1, "dy": 2, "tre": 3, "tri": 3, "katër": 4, "pesë": 5, "gjashtë": 6, "shtatë": 7,
    "tetë": 8, "nëntë": 9,
}  # fmt: skip
_SQ_TEENS = {
    "dhjetë": 10, "njëmbëdhjetë": 11, "dymbëdhjetë": 12, "trembëdhjetë": 13,
    "katërmbëdhjetë": 14, "pesëmbëdhjetë": 15, "gjashtëmbëdhjetë": 16, "shtatëmbëdhjetë": 17,
    "tetëmbëdhjetë": 18, "nëntëmbëdhjetë": 19,
}  # fmt: skip
_SQ_TENS = {"njëzet": 20, "tridhjetë": 30, "dyzet": 40, "pesëdhjetë": 50}
_EN_UNITS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}  # fmt: skip
_EN_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50}

# Words after a number that make it something other than an age ("14 orë", "about 12 hours").
_NOT_AGE = (
    r"(?!\s*(?:%|euro|eur|lek|leke|ore|hours?|km|people|veta|vete|min|minutes?|minuta|days?|dite"
    r"|times|floors?|kat|metres?|meters?|dollars?|pounds?|paund|mije|€|\$|weeks?|jave"
    r"|years?\s+ago|vjet\s+me\s+pare|muaj|months?|\d"
    # A count of people ("we are 3 friends", "jemi 4 goca"), not an age.
    r"|friends|of\s+(?:us|them)|guys|girls|boys|men|women|kids|children|workers|families|shoke|shoqe"
    r"|cuna|goca|vajza|djem|burra|gra|femije|kalamaj|puntore|punetore|familje|shqiptare"
    # "we are 5, one is my wife": a count of people.
    r"|,\s*(?:one|two|some|all|nje|njeri)\s+(?:is|are|of|eshte|jane)\b))"
)


# After "N vjet": words that make it a duration or a difference, not an age ("2 vjet që",
# "20 vjet më i madh", "5 vjet më parë").
_NOT_YEARS = (
    r"(?!\s+(?:qe|me|perpara|para|pune|atje|ketu|aty|ktu|jashte|larg"
    r"|ne\s+(?:greqi|itali|angli|burg)))"
)


@dataclass(frozen=True)
class AgeMention:
    """An age found in the tip, with the characters that state it."""

    value: int
    start: int
    end: int


@dataclass(frozen=True)
class AgeFindings:
    """All ages in a tip, and whether any of them (or an "under 18") makes a minor."""

    mentions: tuple[AgeMention, ...]
    minor: bool

    @property
    def ages(self) -> tuple[int, ...]:
        """Distinct ages in order of first mention."""
        return tuple(dict.fromkeys(m.value for m in self.mentions))


def _spelled(word: str) -> str:
    # Folded text has e for ë; SMS writers also drop the ë altogether: "pesmbedhjet".
    return "".join("e?" if c == "ë" else re.escape(fold(c)) for c in word)


def _alternation(words: dict[str, int], spell: bool) -> str:
    ordered = sorted(words, key=len, reverse=True)
    return "|".join(_spelled(w) if spell else re.escape(w) for w in ordered)


@cache
def _word_values() -> dict[str, int]:
    values: dict[str, int] = {}
    for table in (_SQ_UNITS, _SQ_TEENS, _SQ_TENS, _EN_UNITS, _EN_TENS):
        for word, value in table.items():
            values[fold(word)] = value
    return values


@cache
def _regexes() -> tuple[re.Pattern[str], ...]:
    sq_small = _alternation(_SQ_TEENS | _SQ_UNITS, spell=True)
    sq_word = rf"(?:(?:{_alternation(_SQ_TENS, True)})(?:\s+e\s+(?:{sq_small}))?|{sq_small})"
    en_small = _alternation(_EN_UNITS, spell=False)
    en_teen = _alternation({w: v for w, v in _EN_UNITS.items() if 10 <= v <= 17}, spell=False)
    en_word = rf"(?:(?:{_alternation(_EN_TENS, False)})(?:[-\s](?:{en_small}))?|{en_small})"
    num = r"\d{1,2}"
    joiner = r"(?:\s*(?:-|/|,|dhe|e|ose|deri(?:\s+ne)?|and|or|to)\s*|\s+)"
    nums = rf"(?P<nums>{num}(?:{joiner}{num})*)"
    sq_unit = r"\s*-?\s*vje[cq](?:ar\w*|e\w*|ja|i)?\b"
    en_unit = r"\s*-?\s*(?:years?|yrs?)\s*-?\s*olds?\b"
    subject = (
        r"(?:she|he|who|they|them|we|we're|i|im|i'm|she's|he's|daughter|son|sister|brother|niece|nephew|cousin"
        r"|friend|girl|boy|kid|child|ajo|ai|jam|eshte|ishte|jane|asht|ashte|osht)"
    )
    verb = r"(?:\s*'(?:s|m|re)|\s+(?:is|was|are|am))?"
    hedge = (
        r"(?:\s+(?:only|just|about|around|approx|maybe|barely|both|still|all|vetem|rreth|ndoshta"
        r"|afro))?"
    )
    person = (
        r"(?:child|kid|boy|girl|son|daughter|niece|nephew|sister|brother|cousin|lad|student"
        r"|classmate|pupil|nxenes\w*|gjimnazist\w*|cun|djal\w*"
        r"|vajz\w*|goc\w*|femij\w*|mbes\w*|nip\w*|motr\w*|vella\w*|cik\w*|cuc\w*|cup\w*)"
    )
    # "goca jeme 13 vjet", "cika e vllait 16 vjet": a possessive between the person and the age.
    owner = (
        r"(?:\s+(?:jem|jeme|im|ime|tim|time|tem|teme|sime|s'eme|s'em|tone|ton|e\s+\w+|i\s+\w+))?"
    )
    patterns = [
        rf"\b{nums}{sq_unit}",
        rf"\b(?P<word>{sq_word}){sq_unit}",
        rf"\b{nums}{en_unit}",
        rf"\b(?P<word>{en_word}){en_unit}",
        rf"\b(?P<nums>{num})\s*-?\s*(?:yo|y\.o\.?|y/o)\b",
        rf"\b(?:aged?|ages|mosh\w*)\s*:?\s*(?:e\s+)?{hedge}\s*{nums}\b{_NOT_AGE}",
        rf"\baged\s+(?P<word>{en_word})\b",
        rf"\b{subject}{verb}{hedge}\s+(?P<nums>{num})\b{_NOT_AGE}",
        rf"\b{person}s?\s+of\s+(?:about|around|maybe|approximately)?\s*{nums}\b{_NOT_AGE}",
        rf"\b{person}s?(?:\s+\w+){{0,2}},\s*{nums}\s*(?=,|\)|'|$){_NOT_AGE}",
        rf"\b{person}s?\s+{nums}\s*(?=[,.;:)]|\s+(?:in|at|from|ne|nga|te)\b|$){_NOT_AGE}",
        rf"\b{person}\w*(?:\s+of\s+my\s+\w+)?,\s*(?P<word>{en_word})\s*(?=,|\)|$)",
        rf"\b{person}\w*\s*\((?P<nums>{num})\)",
        rf"\b{person}s?\W{{1,3}}(?:maybe|about|around|approx|approximately|rreth|ndoshta|afro)\.?\s+"
        rf"(?P<nums>{num})\b{_NOT_AGE}",
        # "two girls, 16 max", "a girl, 17 at most", "(17, from Albania)".
        rf"\b{person}s?(?:\s+\w+){{0,2}},\s*{nums}\s*(?:max|maximum|tops?|at\s+most)\b",
        r"\((?P<nums>1[0-7])\s*,",
        rf"\b(?:about|around|maybe|approximately|rreth|ndoshta|afro)\s+{nums}\s*(?=[,.;)!?]|$)",
        rf"\b(?:no|not)\s+(?:older|more)\s+than\s+{nums}\b{_NOT_AGE}",
        # "nje goc qe s'mund te jete me shume se 15" (who cannot be more than 15).
        rf"\b(?:s'?|nuk\s+)mund\s+te\s+(?:jete|kete)\s+(?:me\s+)?(?:shume|teper)\s+se\s+{nums}\b",
        rf"\b(?:no|not)\s+older\s+than\s+(?P<word>{en_word})\b",
        rf"\bnot\s+even\s+(?P<nums>{num})\b",
        rf"\bnot\s+even\s+(?P<word>{en_word})\b",
        rf"\bcan'?t\s+be\s+(?:more\s+than|over|older\s+than)\s+(?P<nums>{num})\b",
        rf"\bcan'?t\s+be\s+(?:more\s+than|over|older\s+than)\s+(?P<word>{en_word})\b",
        rf"\b(?:nuk|s')\s*(?:jane|eshte|asht|jon)\s+mbi\s+(?P<nums>{num})\b",
        rf"\b(?:pa|s'|nuk|ska|sma|si|sja)\s*(?:i\s+)?(?:ka\s+)?mbush\w*\s+(?:ende\s+)?(?P<nums>{num})\b",
        # "s'ja jep më shumë se 13-14" (you would not give her more than 13-14).
        rf"\b(?:s'|nuk\s+|s)(?:i|ja|ia|ta)\s+jep\w*\s+(?:me\s+)?shume?\s+(?:se|sesa)\s+{nums}",
        # "Albanian girl in Brussels, 17 years, ..."
        rf"\b{person}s?(?:\s+\w+){{0,3}},\s*(?:like\s+|about\s+|around\s+|maybe\s+)?{nums}\s*"
        r"(?:years?|yrs?)\b(?!\s+ago)",
        rf"\b(?:looks?|looked)\s+(?P<word>{en_word})\b",
        rf"\b{person}s?\s+of\s+(?:about|around|maybe|approximately)?\s*(?P<word>{en_word})\b",
        rf"\bmbush\w*\s+{nums}\s*vje[tcq]\w*",
        rf"\b(?:s'|nuk\s+)i\s+ka\s+(?:mbushur\s+)?{nums}\s*vje[tcq]\w*",
        r"\b(?:is|was|eshte|asht|ishte)\s+(?:only|just|vetem|barely)?\s*(?P<nums>1[0-7]|[5-9])"
        r"(?=\s*(?:[,.;!?)]|and\b|but\b|dhe\b|e\b|por\b|i\s+think\b|mendoj\b|besoj\b|$))",
        r"\((?P<nums>1[0-7])\)",
        # "(12 v)", "mbesa 14v": SMS shorthand for vjeç.
        r"\b(?P<nums>1[0-7]|[2-9])\s?v\b(?!\.)",
        # "young men, 19 or 20,": adults named with their ages (not a person word above: "men"
        # would also start "mentor (12)").
        rf"\b(?:men|guys|adults|burra)\s*,\s*{nums}\s*(?=,|\)|$){_NOT_AGE}",
        # "they're 20ish", "all 20+": an adult age said loosely.
        rf"\b(?P<nums>[1-9]\d)(?:ish\b|\s?\+){_NOT_AGE}",
        rf"\b{person}\w*{owner}\s+(?:of\s+)?(?:about|around|maybe|rreth|ndoshta)?\s*{nums}\s*vjet\b"
        r"(?!\s+(?:me|perpara|para)\b)",
        rf"\b(?:ska|s'ka|nuk\s+ka)\s+(?:ende\s+|akoma\s+)?{nums}\s*vje[tcq]\w*",
        rf"\b(?:kam|ka|asht|eshte|ishte|jane|jon|osht)\s+{nums}\s*vjet\b{_NOT_YEARS}",
        # "I am fifteen", "barely ten", "maybe eleven": spelled teens only ("she is one of").
        rf"\b{subject}{verb}{hedge}\s+(?P<word>{en_teen})\b{_NOT_AGE}",
        rf"\b(?:barely|maybe|probably|about|around)\s+(?P<word>{en_teen})\b{_NOT_AGE}",
        rf"\b(?:hasn'?t|has\s+not|not\s+yet|just|recently)\s+turned\s+{nums}\b",
        r"\((?P<nums>(?:1[0-7]|[5-9])(?:\s*(?:,|e|dhe|and|&)\s*(?:1[0-7]|[5-9]))+)\)",
        rf"\b(?:look|looks|looked|duket|dukej|duken)\s+(?:about|around|like|rreth|si)?\s*{nums}\b{_NOT_AGE}",
    ]
    return tuple(re.compile(p) for p in patterns)


# "born in 2010", "e lindur në 2011": the age in the current year (the only use of the date).
_BORN = re.compile(
    r"\b(?:born|lindur|lindi|lind)\s+(?:n[eë]\s+|in\s+|me\s+)?(?:vitin\s+)?((?:19|20)\d\d)\b"
    # "vajzës sime (2010)": a birth year in brackets after a word for a person.
    r"|\b(?:vajz|djal|goc|cun|cik|mbes|nip|daughter|son|girl|boy|niece|nephew)\w*"
    r"(?:\s+\w+)?\s*\(((?:19|20)\d\d)\)"
)

_PAST_AGE = re.compile(
    r"\b(?:kur|when)\s+(?:(?:i|she|he|we|they)\s+)?(?:isha|ishte|ishim|ishin|was|were)\s+"
    r"(?:only\s+|just\s+|vetem\s+)?\d{1,2}"
)

_UNDER = re.compile(
    r"\b(?:under|nen|below)[\s-]+(?:the\s+age\s+of\s+|moshen\s+)?(\d{1,2})\b"
    # Youth teams: "U15", "U-14".
    r"|\bu-?(1[0-8])\b"
)


def _word_value(text: str) -> int | None:
    values = _word_values()
    total = 0
    for part in re.split(r"[-\s]+", text):
        if part in ("", "e"):
            continue
        # Match spelled-out words loosely (SMS drops the ë): compare with ë-less forms too.
        found = values.get(part) or next(
            (v for w, v in values.items() if w.replace("e", "") == part.replace("e", "")), None
        )
        if found is None:
            return None
        total += found
    return total or None


def find_ages(text: str) -> AgeFindings:
    """Find every age mentioned in the tip and decide whether a minor is mentioned."""
    folded = fold(text)
    kept: list[AgeMention] = []
    for regex in _regexes():
        for match in regex.finditer(folded):
            groups = match.groupdict()
            if groups.get("nums"):
                values = [int(n) for n in re.findall(r"\d{1,2}", groups["nums"])]
            else:
                word_value = _word_value(groups.get("word") or "")
                values = [word_value] if word_value else []
            for value in values:
                mention = AgeMention(value, match.start(), match.end())
                # The first (most specific) regex wins: "është 15 vjeç" is one mention.
                overlaps = any(
                    k.value == value and k.start < mention.end and mention.start < k.end
                    for k in kept
                )
                if 0 < value < 100 and not overlaps:
                    kept.append(mention)
    this_year = datetime.now(UTC).year
    for match in _BORN.finditer(folded):
        age = this_year - int(match.group(1) or match.group(2))
        if 0 < age < 100:
            kept.append(AgeMention(age, match.start(), match.end()))
    # "kur isha 17", "when she was 15": the age then, not now; it does not make a minor today.
    then = [(m.start(), m.end()) for m in _PAST_AGE.finditer(folded)]
    minor = any(m.value < ADULT and not any(s <= m.start < e for s, e in then) for m in kept)
    minor = minor or any(int(m.group(1) or m.group(2)) <= ADULT for m in _UNDER.finditer(folded))
    ordered = sorted(kept, key=lambda m: (m.start, m.end))
    return AgeFindings(tuple(ordered), minor)
