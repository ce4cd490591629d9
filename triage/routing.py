"""Forms of exploitation and special routes (child protection, complicity, labour)."""

from __future__ import annotations

from collections.abc import Sequence

from triage.catalogue import Indicator

# Context that turns conditions or control into labour exploitation when no sexual sign exists.
_LABOUR_CONTEXT = frozenset({"labour_sector", "domestic_work"})
_LABOUR_SIGNS = frozenset({"wages", "conditions", "documents", "debt", "control", "isolation"})


def forms_of(fired: Sequence[Indicator], band: str) -> tuple[str, ...]:
    """The possible forms of exploitation: sexual, labour, begging, other."""
    if band == "not_a_tip":
        return ()
    signs = [i for i in fired if i.sign and i.weight > 0]
    categories = {i.category for i in signs}
    ids = {i.id for i in fired}
    forms: list[str] = []
    if "sexual" in categories:
        forms.append("sexual")
    labour_context = bool(ids & _LABOUR_CONTEXT) and bool(categories & _LABOUR_SIGNS)
    if "labour" in categories or (labour_context and "sexual" not in categories):
        forms.append("labour")
    if categories & {"begging", "street"}:
        forms.append("begging")
    if not forms and band in ("critical", "high", "medium"):
        forms.append("other")
    return tuple(forms)


def routes_of(
    fired: Sequence[Indicator], minor: bool, forms: Sequence[str], band: str
) -> tuple[str, ...]:
    """Special routes: child protection joins, complicity excludes the agency, labour is joint."""
    if band == "not_a_tip":
        return ()
    routes: list[str] = []
    if minor:
        routes.append("child")
    if any(i.category == "complicity" for i in fired):
        routes.append("complicity")
    if "labour" in forms:
        routes.append("labour")
    return tuple(routes)


# Words of a complicity sign that name the agency it implicates (stems: with and without
# diacritics, Albanian and English).
_IMPLICATED = (
    ("police", ("polic", "kufi", "border", "doganier", "custom")),
    ("social_services", ("social", "shërbim", "sherbim")),
    ("labour_inspectorate", ("inspekt",)),
)


def implicated_kinds(routes: Sequence[str], complicity_words: Sequence[str]) -> frozenset[str]:
    """Agency kinds a complicity tip must not reach, from the words of its complicity signs."""
    if "complicity" not in routes:
        return frozenset()
    words = " ".join(complicity_words).lower()
    kinds = {kind for kind, stems in _IMPLICATED if any(s in words for s in stems)}
    # When unsure, the police unit: the agency most often implicated.
    return frozenset(kinds or {"police"})
