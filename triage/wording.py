"""Every text a person reads in an explanation, in Albanian and in English, and the explanation."""

from __future__ import annotations

from typing import TYPE_CHECKING

from triage.catalogue import load
from triage.places import KIND_LABELS, display_name
from triage.rule_wording import RULES as RULES  # re-exported: the console and tests read it here

if TYPE_CHECKING:
    from triage.assessment import Assessment, Span

BAND_LABELS: dict[str, tuple[str, str]] = {
    "critical": ("kritik", "critical"),
    "high": ("i lartë", "high"),
    "medium": ("mesatar", "medium"),
    "low": ("i ulët", "low"),
    # No gloss in brackets: "(pikët: …)" follows the label, and brackets never sit side by side.
    "not_a_tip": ("nuk është raportim", "not a tip"),
}

TEXT: dict[str, tuple[str, str]] = {
    "band": ("Prioriteti: {band} (pikët: {score}).", "Band: {band} (score: {score})."),
    "signs": (
        "Shenjat e gjetura dhe fjalët që i aktivizuan:",
        "Signs found, with the words that triggered them:",
    ),
    "no_signs": ("Nuk u gjet asnjë shenjë.", "No signs were found."),
    "span": ("«{text}» (karakteret {start}–{end})", "“{text}” (characters {start}–{end})"),
    "age": ("Mosha e përmendur: {ages}.", "Age mentioned: {ages}."),
    "ages": ("Moshat e përmendura: {ages}.", "Ages mentioned: {ages}."),
    "minor": (
        "Raportimi ka të bëjë me një person nën 18 vjeç.",
        "The tip concerns a person under 18.",
    ),
    "place": ("Vendi: {places}.", "Place: {places}."),
    "places": ("Vendet: {places}.", "Places: {places}."),
    "rules": ("Rregullat e zbatuara:", "Rules applied:"),
    "negated": (
        "Shenja të mohuara në tekst (nuk u llogaritën): {ids}.",
        "Signs negated in the text (not counted): {ids}.",
    ),
    "routes": ("Referime të veçanta: {routes}.", "Special routes: {routes}."),
    "note": (
        "Ky është një vlerësim automatik i shenjave të mundshme. Statusin e personit e vendos "
        "vetëm procesi formal i identifikimit.",
        "This is an automatic assessment of possible signs. Only the formal identification "
        "process decides a person's status.",
    ),
}

ROUTES: dict[str, tuple[str, str]] = {
    "child": (
        "mbrojtja e fëmijës (Njësia e Mbrojtjes së Fëmijës, shërbimet sociale)",
        "child protection (Child Protection Unit, social services)",
    ),
    "complicity": (
        "përfshirje e zyrtarëve (përjashtohet institucioni i përfshirë, njoftohet kryetari)",
        "official complicity (the implicated agency is excluded, the chair is informed)",
    ),
    "labour": (
        "shfrytëzim në punë (Policia e Shtetit bashkë me Inspektoratin Shtetëror të Punës dhe "
        "Shërbimeve Shoqërore)",
        "labour exploitation (State Police with the State Labour and Social Services Inspectorate)",
    ),
}


def say(key: str, lang: str, table: dict[str, tuple[str, str]] = TEXT) -> str:
    """The text for key in the language ("sq" or anything else for English)."""
    sq, en = table[key]
    return sq if lang == "sq" else en


def number(value: float, lang: str) -> str:
    """A score or weight as its reader writes it: 10,5 in Albanian, 10.5 in English."""
    text = f"{round(value, 2):g}"
    return text.replace(".", ",") if lang == "sq" else text


def sentence(text: str) -> str:
    """A description without its final full stop, to be followed by more of the same line."""
    return text.rstrip().removesuffix(".")


def _spans(spans: tuple[Span, ...], lang: str) -> str:
    return "; ".join(say("span", lang).format(text=t, start=s, end=e) for s, e, t in spans)


def explain(assessment: Assessment, lang: str) -> str:
    """Explain the band: the signs under their category, with the words that fired each."""
    lang = "sq" if lang.lower().startswith(("sq", "al", "shq")) else "en"
    index = 0 if lang == "sq" else 1
    catalogue = load()
    a = assessment
    band = say(a.band, lang, BAND_LABELS)
    lines = [say("band", lang).format(band=band, score=number(a.score, lang))]
    lines.append(say("signs", lang) if a.indicators else say("no_signs", lang))
    # Each category is a heading once, its signs under it (not "Category: …" on every line).
    by_category: dict[str, list[str]] = {}
    for hit in a.indicators:
        description = sentence(catalogue.get(hit.id).description[lang])
        words = _spans(hit.spans, lang)
        by_category.setdefault(hit.category, []).append(
            f"- {description}: {words}" if words else f"- {description}"
        )
    for category, signs in by_category.items():
        lines.append(catalogue.categories[category][lang] + ":")
        lines.extend(signs)
    if a.age_spans:
        key = "age" if len(a.age_spans) == 1 else "ages"
        lines.append(say(key, lang).format(ages=_spans(a.age_spans, lang)))
    if a.minor:
        lines.append(say("minor", lang))
    if a.places:
        names = ", ".join(
            f"{display_name(p.name, lang, p.name_en)} ({KIND_LABELS[p.kind][index]})"
            for p in a.places
        )
        lines.append(say("place" if len(a.places) == 1 else "places", lang).format(places=names))
    if a.negated:
        names = "; ".join(sentence(catalogue.get(i).description[lang]) for i in a.negated)
        lines.append(say("negated", lang).format(ids=names))
    if a.rules:
        lines.append(say("rules", lang))
        lines.extend(f"- {say(rule, lang, RULES)}" for rule in a.rules)
    if a.routes:
        routes = "; ".join(say(r, lang, ROUTES) for r in a.routes)
        lines.append(say("routes", lang).format(routes=routes))
    lines.append(say("note", lang))
    return "\n".join(lines)
