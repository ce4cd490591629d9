"""Every text a person reads in an explanation, in Albanian and in English."""

from __future__ import annotations

BAND_LABELS: dict[str, tuple[str, str]] = {
    "critical": ("kritik", "critical"),
    "high": ("i lartë", "high"),
    "medium": ("mesatar", "medium"),
    "low": ("i ulët", "low"),
    "not_a_tip": ("jo sinjalizim (rrjedha e informacionit)", "not a tip (information flow)"),
}

RULES: dict[str, tuple[str, str]] = {
    "minor_answer": (
        "Raportuesi u përgjigj se personi është nën 18 vjeç.",
        "The reporter answered that the person is under 18.",
    ),
    "minor_with_sign": (
        "Personi është nën 18 vjeç dhe ka shenja shfrytëzimi, kontrolli ose zhvendosjeje pa "
        "arsye të ligjshme: prioritet kritik.",
        "The person is under 18 and there are signs of exploitation, control or of being moved "
        "without a lawful reason: critical.",
    ),
    "imminent_danger": (
        "Ka shenja rreziku të menjëhershëm: prioritet kritik.",
        "There are signs of imminent danger: critical.",
    ),
    "danger_answer": (
        "Raportuesi u përgjigj se personi është në rrezik tani: prioritet kritik.",
        "The reporter answered that the person is in danger right now: critical.",
    ),
    "confinement_with_abuse": (
        "Personi mbahet i mbyllur dhe ka shenja të tjera të rënda (dhunë, kërcënime, "
        "dokumente të marra ose shfrytëzim seksual): prioritet kritik.",
        "The person is held locked in and there are other serious signs (violence, threats, "
        "documents taken or sexual exploitation): critical.",
    ),
    "sale_of_person": (
        "Përmendet shitja ose blerja e një personi: prioritet kritik.",
        "The sale or purchase of a person is mentioned: critical.",
    ),
    "smuggling_alone": (
        "Vetëm kontrabandë ose emigrim i parregullt, pa shenja shfrytëzimi: prioriteti nuk "
        "kalon «i ulët».",
        "Smuggling or irregular migration alone, without signs of exploitation: at most low.",
    ),
    "sex_work_alone": (
        "Vetëm punë seksi, pa shenja shtrëngimi apo shfrytëzimi: prioriteti nuk kalon «i ulët».",
        "Sex work alone, without signs of coercion or exploitation: at most low.",
    ),
    "chain_message": (
        "Mesazh zinxhir pa të dhëna konkrete: prioriteti nuk kalon «i ulët».",
        "A chain message without concrete details: at most low.",
    ),
    "past_event": (
        "Ngjarjet duken të mbaruara dhe asgjë nuk tregon se vazhdojnë: prioriteti nuk kalon "
        "«i ulët».",
        "The events seem to be over and nothing says they continue: at most low.",
    ),
    "first_person_victim": (
        "Personi tregon situatën e vet, me shenja kontrolli ose shfrytëzimi: të paktën «i lartë».",
        "The person describes their own situation, with signs of control or exploitation: "
        "at least high.",
    ),
    "hearsay": (
        "Raportuesi e ka dëgjuar nga të tjerët, jo e ka parë vetë: prioriteti nuk kalon «mesatar».",
        "The reporter heard it from others and did not see it: at most medium.",
    ),
    "child_in_street": (
        "Një fëmijë lyp ose shet në rrugë, pa shenja se dikush e kontrollon: të paktën «mesatar».",
        "A child begs or sells in the street, with no sign that someone controls them: at least "
        "medium.",
    ),
    "joke": (
        "Mesazhi duket si shaka dhe nuk ka shenja të rënda: i kalon rrjedhës së informacionit "
        "dhe radhës së shqyrtimit.",
        "The message looks like a joke and has no serious sign: passed to the information flow "
        "and the review queue.",
    ),
    "unrecognised_description": (
        "Mesazhi përshkruan diçka që katalogu nuk e njeh, pa pyetje apo përshëndetje: "
        "«i ulët», që ta lexojë një zyrtar.",
        "The message describes something the catalogue does not recognise, without a question "
        "or greeting: low, so that an official reads it.",
    ),
    "second_opinion": (
        "Një model statistikor, i trajnuar mbi shembujt e zhvillimit, e ngriti prioritetin: "
        "shenjat e katalogut vetëm nuk mjaftonin.",
        "A statistical model trained on the development examples raised the band: the "
        "catalogue's signs alone were not enough.",
    ),
    "confinement": (
        "Personi mbahet i mbyllur ose me zor: të paktën «i lartë».",
        "The person is locked in or held by force: at least high.",
    ),
    "awareness": (
        "Pyetje për parandalim, material ose një rast të mundshëm në të ardhmen, jo raportim: "
        "prioriteti nuk kalon «i ulët».",
        "A question about prevention, material or a possible future situation, not a report: "
        "at most low.",
    ),
    "advert": (
        "Reklamë ose mesazh i padëshiruar pa shenja shfrytëzimi: i kalon radhës së shqyrtimit.",
        "An advert or unwanted message with no sign of exploitation: passed to the review queue.",
    ),
    "context_only": (
        "Vetëm shenja konteksti ose cenueshmërie, asnjë shenjë shfrytëzimi: prioriteti nuk "
        "kalon «i ulët».",
        "Only context or vulnerability signs, no sign of exploitation: at most low.",
    ),
    "information_only": (
        "Përshëndetje ose pyetje për informacion: i kalon rrjedhës së informacionit dhe nuk "
        "fshihet.",
        "A greeting or a question for information: passed to the information flow, never dropped.",
    ),
    "no_signs": (
        "Nuk u gjet asnjë shenjë: i kalon rrjedhës së informacionit dhe nuk fshihet.",
        "No sign was found: passed to the information flow, never dropped.",
    ),
}

TEXT: dict[str, tuple[str, str]] = {
    "band": ("Prioriteti: {band} (pikët: {score}).", "Band: {band} (score: {score})."),
    "signs": ("Shenjat e gjetura:", "Signs found:"),
    "no_signs": ("Nuk u gjet asnjë shenjë.", "No signs were found."),
    "words": ("Fjalët: {words}.", "Words: {words}."),
    "span": ("«{text}» (pozicioni {start}–{end})", "“{text}” (characters {start}–{end})"),
    "ages": ("Mosha e përmendur: {ages}.", "Ages mentioned: {ages}."),
    "minor": (
        "Sinjalizimi ka të bëjë me një person nën 18 vjeç.",
        "The tip concerns a person under 18.",
    ),
    "places": ("Vendet: {places}.", "Places: {places}."),
    "rules": ("Rregullat e zbatuara:", "Rules applied:"),
    "negated": (
        "Shenja të mohuara në tekst, të panumëruara: {ids}.",
        "Signs negated in the text, not counted: {ids}.",
    ),
    "routes": ("Rrugët e veçanta: {routes}.", "Special routes: {routes}."),
    "note": (
        "Ky është një vlerësim automatik i shenjave të mundshme. Statusin e personit e vendos "
        "vetëm procesi zyrtar i identifikimit.",
        "This is an automatic assessment of possible signs. Only the formal identification "
        "process decides a person's status.",
    ),
}

ROUTES: dict[str, tuple[str, str]] = {
    "child": ("mbrojtja e fëmijëve", "child protection"),
    "complicity": (
        "përfshirje e zyrtarëve (përjashtohet institucioni i përfshirë, njoftohet kryetari)",
        "official complicity (the implicated agency is excluded, the chair is informed)",
    ),
    "labour": ("policia dhe inspektorati i punës", "police and labour inspectorate"),
}


def say(key: str, lang: str, table: dict[str, tuple[str, str]] = TEXT) -> str:
    """The text for key in the language ("sq" or anything else for English)."""
    sq, en = table[key]
    return sq if lang == "sq" else en
