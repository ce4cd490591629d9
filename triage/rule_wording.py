"""The words that explain each scoring rule (triage/score.py), in Albanian and in English."""

from __future__ import annotations

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
    "plea_alone": (
        "Një thirrje për ndihmë pa asgjë tjetër («ndihmë», «më ndihmoni»): dikush mund të jetë "
        "në rrezik tani, prioritet kritik.",
        'A plea for help and little else ("help me"): someone may be in danger now, critical.',
    ),
    "complicity_with_exploitation": (
        "Zyrtarë që mbulojnë një shfrytëzim: prioriteti të paktën «i lartë».",
        "Officials who cover an exploitation: at least high.",
    ),
    "linked_reporters": (
        "Të paktën tre persona të ndryshëm kanë raportuar të njëjtin numër, targë, llogari ose "
        "biznes: prioriteti të paktën «i lartë».",
        "At least three different people have reported the same number, plate, account or "
        "business: at least high.",
    ),
    "held_and_harmed_now": (
        "Personi mbahet (s'e lënë të largohet ose i kanë marrë dokumentet) dhe e rrahin ose "
        "e kërcënojnë, sipas vetë atij ose që sot: rrezik tani, prioritet kritik.",
        "The person is held (cannot leave or their papers were taken) and is beaten or "
        "threatened, in their own words or as of today: danger now, critical.",
    ),
    "smuggling_alone": (
        "Vetëm kontrabandë emigrantësh ose emigrim i parregullt, pa shenja shfrytëzimi: "
        "prioriteti nuk kalon «i ulët».",
        "Migrant smuggling or irregular migration alone, without signs of exploitation: at most "
        "low.",
    ),
    "sex_work_alone": (
        "Vetëm punë seksuale, pa shenja shtrëngimi apo shfrytëzimi: prioriteti nuk kalon «i ulët».",
        "Sex work alone, without signs of coercion or exploitation: at most low.",
    ),
    "threats_with_exploitation": (
        "Kërcënime ose dhunë bashkë me shfrytëzim (punë, seks, lypje, borxh, dokumente): "
        "prioriteti të paktën «i lartë».",
        "Threats or violence together with exploitation (work, sex, begging, debt, papers): "
        "at least high.",
    ),
    "cannot_leave": (
        "Personit nuk i lejohet të largohet dhe ka edhe shenja të tjera (dokumente, punë, "
        "mbikëqyrje, dhunë): prioriteti të paktën «i lartë».",
        "The person is not allowed to leave, and there are other signs too (papers, work, a "
        "minder, violence): at least high.",
    ),
    "no_control": (
        "Shfrytëzim në punë (pagë, orar, kushte, ofertë e dyshimtë) pa shenja kontrolli mbi "
        "personin: prioriteti «mesatar», për t'u parë sot.",
        "Exploitation at work (pay, hours, conditions, a doubtful offer) with no sign that "
        "someone controls the person: medium, to be looked at today.",
    ),
    "offer_only": (
        "Një ofertë pune me shenja rreziku (tarifë, pasaporta e kërkuar, bileta për t'u "
        "shlyer), por askush nuk kontrollohet ende: prioriteti «mesatar», për t'u parë sot.",
        "A job offer with warning signs (a fee, the passport asked for, a ticket to repay), but "
        "nobody is controlled yet: medium, to be looked at today.",
    ),
    "travel_question": (
        "Një pyetje për udhëtimin e një fëmije (dokumentet, një kthim në shtëpi) pa asnjë shenjë "
        "që e lëviz dikush tjetër përveç familjes: regjistrohet me prioritet «të ulët».",
        "A question about a child's journey (papers, a move back home) with no sign that anyone "
        "but the family moves the child: recorded as low.",
    ),
    "work_question": (
        "Një pyetje për punën e një të riu 15–17 vjeç, pa asnjë shenjë kontrolli, orësh të "
        "tepërta apo dëmi: regjistrohet me prioritet «të ulët».",
        "A question about the job of a teenager aged 15 to 17, with no sign of control, excessive "
        "hours or harm: recorded as low.",
    ),
    "family_dispute": (
        "Një mosmarrëveshje mes prindërve të ndarë për udhëtimin ose telefonatat e fëmijës, pa "
        "asnjë shenjë shitjeje, martese apo shfrytëzimi: çështje e së drejtës familjare, "
        "regjistrohet me prioritet «të ulët».",
        "Separated parents' quarrel over a child's journey or calls, with no sign of a sale, a "
        "marriage or exploitation: a family-law matter, recorded as low.",
    ),
    "begging_alone": (
        "Një i rritur lyp dhe nuk duket askush që e sjell, e ruan ose i merr paratë: "
        "regjistrohet me prioritet «të ulët».",
        "An adult begs, with nobody seen bringing them, watching them or taking the money: "
        "recorded as low.",
    ),
    "domestic_violence": (
        "Dhunë në familje pa shenja pune të detyruar, shitjeje apo lëvizjeje: regjistrohet dhe "
        "drejtohet te shërbimet, prioriteti nuk kalon «i ulët».",
        "Domestic violence with no sign of forced work, sale or movement: recorded and referred "
        "to services, at most low.",
    ),
    "chain_message": (
        "Mesazh zinxhir pa të dhëna konkrete: prioriteti nuk kalon «i ulët».",
        "A chain message without concrete details: at most low.",
    ),
    "accused_reporter": (
        "Raportuesi thotë se akuzohet vetë dhe e mohon akuzën: regjistrohet si mosmarrëveshje, "
        "prioriteti nuk kalon «i ulët».",
        "The reporter says they are the one accused, and denies it: recorded as a dispute, "
        "at most low.",
    ),
    "lawful_journey": (
        "Një fëmijë udhëton me familjen, me shkollën ose për studime dhe nuk ka asnjë shenjë "
        "tjetër: prioriteti «i ulët».",
        "A child travelling with family, with a school or to study, and no other sign: low.",
    ),
    "past_event": (
        "Ngjarjet duken të mbaruara dhe asgjë nuk tregon se vazhdojnë: prioriteti nuk kalon "
        "«i ulët».",
        "The events seem to be over and nothing says they continue: at most low.",
    ),
    "first_person_victim": (
        "Personi tregon situatën e vet, me shenja kontrolli ose shfrytëzimi: prioriteti të "
        "paktën «i lartë».",
        "The person describes their own situation, with signs of control or exploitation: "
        "at least high.",
    ),
    "hearsay": (
        "Raportuesi e ka dëgjuar nga të tjerët dhe nuk e ka parë vetë: prioriteti nuk kalon "
        "«mesatar».",
        "The reporter heard it from others and did not see it: at most medium.",
    ),
    "child_in_street": (
        "Një fëmijë lyp ose shet në rrugë, pa shenja se dikush e kontrollon: prioriteti «mesatar».",
        "A child begs or sells in the street, with no sign that someone controls them: medium.",
    ),
    "joke": (
        "Mesazhi duket si shaka dhe nuk ka shenja të rënda: trajtohet si mesazh informativ dhe "
        "kalon në radhën e shqyrtimit.",
        "The message looks like a joke and has no serious sign: passed to the information flow "
        "and the review queue.",
    ),
    "unrecognised_description": (
        "Mesazhi përshkruan diçka që katalogu i treguesve nuk e njeh, pa pyetje apo "
        "përshëndetje: prioritet «i ulët», që ta lexojë një zyrtar.",
        "The message describes something the catalogue does not recognise, without a question "
        "or greeting: low, so that an official reads it.",
    ),
    "second_opinion": (
        "Një model statistikor, i trajnuar me shembujt e zhvillimit, e ngriti prioritetin: "
        "shenjat e katalogut, të marra më vete, nuk mjaftonin.",
        "A statistical model trained on the development examples raised the band: the "
        "catalogue's signs alone were not enough.",
    ),
    "second_opinion_review": (
        "Një rregull e kufizoi prioritetin, por modeli statistikor e lexon si rast serioz: "
        "prioriteti «mesatar», që ta shohë një zyrtar sot.",
        "A rule capped the band, but the statistical model reads a serious case: medium, for an "
        "official to look at today.",
    ),
    "confinement": (
        "Personi mbahet i mbyllur ose me zor: prioriteti të paktën «i lartë».",
        "The person is locked in or held by force: at least high.",
    ),
    "awareness": (
        "Pyetje për parandalimin, për materiale ose për një rast të mundshëm në të ardhmen, jo "
        "raportim: prioriteti nuk kalon «i ulët».",
        "A question about prevention, material or a possible future situation, not a report: "
        "at most low.",
    ),
    "advert": (
        "Reklamë ose mesazh i padëshiruar: pa shenja, nuk është raportim; kur kërkon pagesë ose "
        "dokumente, e shqyrton një zyrtar, dhe kur rekruton për jashtë vendit, prioriteti është "
        "«mesatar».",
        "An advert or unwanted message: with no sign, not a tip; when it asks for a fee or papers, "
        "an official reviews it, and when it recruits for abroad, medium.",
    ),
    "context_only": (
        "Vetëm shenja konteksti ose cenueshmërie, asnjë shenjë shfrytëzimi: prioriteti nuk "
        "kalon «i ulët».",
        "Only context or vulnerability signs, no sign of exploitation: at most low.",
    ),
    "information_only": (
        "Përshëndetje ose pyetje për informacion: trajtohet si mesazh informativ dhe nuk fshihet.",
        "A greeting or a question for information: passed to the information flow, never dropped.",
    ),
    "no_signs": (
        "Nuk u gjet asnjë shenjë: trajtohet si mesazh informativ dhe nuk fshihet.",
        "No sign was found: passed to the information flow, never dropped.",
    ),
}
