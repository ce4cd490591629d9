"""The Albanian Raporto shows follows docs/GLOSSARY.md: no avoided form, the agreed terms, «»."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
GLOSSARY = ROOT / "docs" / "GLOSSARY.md"
CATALOGUE = ROOT / "locales" / "sq" / "LC_MESSAGES" / "messages.po"
WORD = re.compile(r"\w+")
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\w*\}")
GUARD_REACH = 2  # an exception word counts within the next two words


def fold(text: str) -> str:
    """Lower case without diacritics (ë→e, ç→c), so forms match however they were typed."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _word_test(spec: str) -> tuple[str, ...]:
    return tuple(fold(alt) for alt in spec.split("|"))


def _matches(alternatives: tuple[str, ...], word: str) -> bool:
    return any(
        alt == "*" or (word.startswith(alt[:-1]) if alt.endswith("*") else word == alt)
        for alt in alternatives
    )


@dataclass(frozen=True)
class Form:
    """An avoided form: words (`a|b`, `stem*`, `*`) and exceptions (`!word`) after them."""

    text: str
    words: tuple[tuple[str, ...], ...]
    unless: tuple[tuple[str, ...], ...]

    @classmethod
    def parse(cls, text: str) -> Form:
        """Read a form as written in the glossary's Avoid column."""
        parts = text.split()
        words = tuple(_word_test(p) for p in parts if not p.startswith("!"))
        unless = tuple(_word_test(p[1:]) for p in parts if p.startswith("!"))
        assert words, f"empty form {text!r}"
        return cls(text, words, unless)

    def find(self, text: str) -> list[str]:
        """The places in a text where this form occurs, as folded words."""
        words = WORD.findall(fold(PLACEHOLDER.sub(" ", text)))
        found = []
        for start in range(len(words) - len(self.words) + 1):
            end = start + len(self.words)
            if not all(_matches(t, w) for t, w in zip(self.words, words[start:end], strict=True)):
                continue
            after = words[end : end + GUARD_REACH]
            if any(_matches(u, w) for u in self.unless for w in after):
                continue
            found.append(" ".join(words[start:end]))
        return found


@dataclass(frozen=True)
class Term:
    """One row of the glossary."""

    albanian: str
    english: str
    avoid: tuple[Form, ...]


def _cells(line: str) -> list[str]:
    cells = re.split(r"(?<!\\)\|", line.strip().strip("|"))
    return [c.strip().replace("\\|", "|") for c in cells]


def glossary() -> list[Term]:
    """Every table row of docs/GLOSSARY.md (Albanian, English, note, avoid)."""
    terms = []
    for line in GLOSSARY.read_text(encoding="utf-8").splitlines():
        if not line.startswith("|"):
            continue
        cells = _cells(line)
        if len(cells) != 4 or cells[0] == "Albanian" or set(cells[0]) <= set("- "):
            continue
        forms = tuple(Form.parse(f) for f in re.findall(r"`([^`]+)`", cells[3]))
        terms.append(Term(cells[0], cells[1], forms))
    return terms


Texts = list[tuple[str, str]]  # (where, Albanian text)


def catalogue() -> list[tuple[str, str]]:
    """(msgid, Albanian text) of every message and plural form; obsolete (#~) ones are not shown."""
    with CATALOGUE.open("rb") as fh:
        catalog = read_po(fh, locale="sq")
    texts: list[tuple[str, str]] = []
    for message in catalog:
        if not message.id:
            continue
        msgid = str(message.id[0] if isinstance(message.id, (tuple, list)) else message.id)
        forms = message.string if isinstance(message.string, (tuple, list)) else (message.string,)
        texts += [(msgid, str(form)) for form in forms if form]
    return texts


def catalogue_texts() -> Texts:
    return [(f"msgid {msgid[:60]!r}", text) for msgid, text in catalogue()]


def services_texts() -> Texts:
    data = yaml.safe_load((ROOT / "locales" / "services.yaml").read_text(encoding="utf-8"))
    texts = [(f"qarks {q['code']}", q["sq"]) for q in data["qarks"]]
    for service in data["services"]:
        for field in ("name", "offers", "hours"):
            if isinstance(service.get(field), dict):
                texts.append((f"{service['id']}.{field}", service[field]["sq"]))
    return texts


def indicator_texts() -> Texts:
    data = yaml.safe_load((ROOT / "triage" / "indicators.yaml").read_text(encoding="utf-8"))
    texts = [(f"category {key}", c["sq"]) for key, c in data["categories"].items()]
    texts += [(f"{i['id']}.description", i["description"]["sq"]) for i in data["indicators"]]
    return texts


def wording_texts() -> Texts:
    from triage import wording

    tables = {"BAND_LABELS": wording.BAND_LABELS, "RULES": wording.RULES}
    tables |= {"TEXT": wording.TEXT, "ROUTES": wording.ROUTES}
    return [(f"{name}[{key!r}]", sq) for name, t in tables.items() for key, (sq, _en) in t.items()]


def demo_texts() -> Texts:
    from alerts.demo import AGENCIES

    return [(f"AGENCIES {agency[0]}", agency[1]) for agency in AGENCIES]


def template_texts() -> Texts:
    # What a template writes itself: its text outside Jinja expressions, statements and tags.
    strip = re.compile(r"<(script|style)\b.*?</\1>|\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}|<[^>]*>", re.S)
    texts = []
    for path in sorted((ROOT / "console" / "templates").glob("*.html")):
        text = strip.sub(" ", path.read_text(encoding="utf-8"))
        text = re.sub(r"\(\W*\)", " ", text)  # brackets left empty by a removed expression
        texts.append((path.name, " ".join(text.split())))
    return texts


SOURCES = {
    "locales/sq/LC_MESSAGES/messages.po": catalogue_texts,
    "locales/services.yaml": services_texts,
    "triage/indicators.yaml": indicator_texts,
    "triage/wording.py": wording_texts,
    "alerts/demo.py": demo_texts,
    "console/templates": template_texts,
}


def violations(texts: Texts, terms: list[Term]) -> Iterator[str]:
    use: dict[Form, list[str]] = {}  # a form listed under two terms (sinjaliz*) names both
    for term in terms:
        for form in term.avoid:
            use.setdefault(form, []).append(term.albanian)
    for where, text in texts:
        for form, instead in use.items():
            for words in form.find(text):
                yield f"{where}: «{words}» (avoid `{form.text}`; use {' or '.join(instead)})"


def test_the_glossary_has_the_required_terms_and_bans() -> None:
    terms = glossary()
    albanian = " / ".join(fold(t.albanian) for t in terms)
    required = [
        "trafikimi i qenieve njerëzore",
        "viktimë e mundshme",
        "raportim",
        "kontrabandë emigrantësh",
        "punë seksuale",
        "bot",
        "Zyra e Koordinatorit Kombëtar kundër Trafikimit",
        "Njësia e Mbrojtjes së Fëmijës",
        "Inspektorati Shtetëror i Punës dhe Shërbimeve Shoqërore",
        "Autoriteti Përgjegjës",
        "Mekanizmi Kombëtar i Referimit",
        "strehëz",
        "identifikim",
        "kritik / i lartë / mesatar / i ulët",
        "konfirmoj",
        "përshkallëzim",
        "zyrtar",
        "paneli",
        "Fjalëkalim i përkohshëm",
        "njoftim",
        "Dërguar / Dorëzuar / Dështuar",
    ]
    assert [t for t in required if fold(t) not in albanian] == []
    banned = {f.text for t in terms for f in t.avoid}
    must_ban = {"sinjaliz*", "robot*", "vetvetiu", "kontraband* !emigrant*", "pun* seksi|seksit"}
    assert must_ban <= banned
    assert {"dërgo", "kthehu", "vazhdo", "anulo"} <= banned


@pytest.mark.parametrize(
    ("form", "text", "found"),
    [
        ("sinjaliz*", "Sinjalizimi ka të bëjë me një fëmijë.", ["sinjalizimi"]),
        ("sinjaliz*", "Lini mesazhin pas sinjalit.", []),
        ("robot*", "Shkruajini ROBOTIT", ["robotit"]),
        ("robot*", "Shkruajini botit", []),
        ("pun* seksi|seksit", "Vetëm pune seksi, pa shtrëngim", ["pune seksi"]),
        ("pun* seksi|seksit", "puna seksuale e zgjedhur lirisht", []),
        ("kontraband* !emigrant*", "Vetëm kontrabandë ose emigrim", ["kontrabande"]),
        ("kontraband* !emigrant*", "kontrabandë emigrantësh ose kontrabanda e emigrantëve", []),
        (
            "inspektorat* i|të punës !shërbim*",
            "policia dhe inspektorati i punës",
            ["inspektorati i punes"],
        ),
        (
            "inspektorat* shtetëror* i|të punës !shërbim*",
            "Inspektorati Shtetëror i Punës dhe Shërbimeve Shoqërore",
            [],
        ),
        ("dërgo", "shtypni «Dërgo»", ["dergo"]),
        ("dërgo", "Dërgoni ose u dërgua", []),
        ("vetvetiu", "nuk është %(what)s vetvetiu", ["vetvetiu"]),
    ],
)
def test_avoided_forms_match_whole_words_without_case_or_diacritics(
    form: str, text: str, found: list[str]
) -> None:
    assert Form.parse(form).find(text) == found


@pytest.mark.parametrize("source", list(SOURCES))
def test_no_albanian_text_uses_an_avoided_form(source: str) -> None:
    texts = SOURCES[source]()
    assert texts, f"nothing read from {source}"
    found = list(violations(texts, glossary()))
    assert not found, "\n".join(found)


@pytest.mark.parametrize("source", list(SOURCES))
def test_albanian_typography(source: str) -> None:
    problems = []
    for where, text in SOURCES[source]():
        plain = PLACEHOLDER.sub("X", text)
        if re.search(r"[\"“”„]", plain):
            problems.append(f"{where}: quotes other than «»: {text!r}")
        if "’" in plain:
            problems.append(f"{where}: apostrophe ’ instead of ': {text!r}")
        if re.search(r"\d\.\d", plain):
            problems.append(f"{where}: decimal point instead of comma: {text!r}")
        if re.search(r"\([^()]*\(|\)\s*\(", plain):
            problems.append(f"{where}: brackets inside or beside brackets: {text!r}")
    assert not problems, "\n".join(problems)


def test_the_triage_explanation_uses_a_decimal_comma_and_single_brackets() -> None:
    from triage.assessment import Assessment

    assessment = Assessment(
        band="not_a_tip",
        score=0.5,
        language="sq",
        minor=False,
        ages=(),
        indicators=(),
        places=(),
        forms=(),
        urgent=False,
        routes=(),
        phones=(),
        ack_deadline_minutes=0,
        catalogue_version="test",
    )
    first = assessment.explain("sq").splitlines()[0]
    assert "0,5" in first
    assert not re.search(r"\([^()]*\(|\)\s*\(", first), first


def translation(start: str) -> str:
    """The Albanian text of the one message whose id is, or starts with, `start`."""
    texts = dict(catalogue())
    if start in texts:
        return texts[start]
    [text] = [text for msgid, text in texts.items() if msgid.startswith(start)]
    return text


@pytest.mark.parametrize(
    ("msgid", "expected"),
    [
        ("Tip %(reference)s", "Raportimi"),
        ("Alert", "Njoftim"),
        ("Sent", "Dërguar"),
        ("Delivered", "Dorëzuar"),
        ("Failed", "Dështuar"),
        ("New one-time password", "Fjalëkalim i ri i përkohshëm"),
        ("State Labour Inspectorate", "Inspektorati Shtetëror i Punës dhe Shërbimeve Shoqërore"),
        ("National Coordinator's Office", "Zyra e Koordinatorit Kombëtar kundër Trafikimit"),
        ("Referred to child protection", "Referuar Njësisë së Mbrojtjes së Fëmijës"),
        ("Special routes:", "Referime të veçanta:"),
        ("Highlighted: the words that fired a sign.", "fjalët që aktivizuan një shenjë"),
        ("Choose your region, or send your location", "dërgoni vendndodhjen (📎 →"),
        ("Where did it happen?", "dërgoni vendndodhjen"),
        ("Trafficking is when", "në vetvete"),
        ("Trafficking is when", "shfrytëzim seksual, punë"),
        ("Trafficking is when", "kontrabandë emigrantësh"),
        ("Your message reaches trained officials", "Autoritetit Përgjegjës"),
    ],
)
def test_the_catalogue_uses_the_glossary_terms(msgid: str, expected: str) -> None:
    assert expected in translation(msgid)


@pytest.mark.parametrize(
    "msgid",
    ["Send", "Back", "Back to menu", "Continue", "Cancel", "Skip", "Acknowledge", "Confirm"],
)
def test_buttons_use_the_formal_imperative(msgid: str) -> None:
    first_word = translation(msgid).split()[0]
    assert first_word.endswith("ni"), first_word  # Dërgoni, Kthehuni: the ju form
