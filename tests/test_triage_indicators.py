"""Each catalogue indicator fires on plain sentences, with or without diacritics, in capitals."""

from __future__ import annotations

import unicodedata

import pytest

from tests.triage_checks import fired
from triage.catalogue import load

# One Albanian and one English sentence per indicator. Each must fire the indicator.
EXAMPLES: dict[str, tuple[str, str]] = {
    "false_job_offer": (
        "I premtuan punë si kameriere në Greqi.",
        "He promised her a job as a waitress.",
    ),
    "deception": (
        "E mashtruan me një punë që nuk ekzistonte.",
        "They tricked her with a fake job.",
    ),
    "lover_method": (
        "I dashuri i saj e çoi në Itali dhe ia mori pasaportën.",
        "Her boyfriend took her to Italy and keeps her passport.",
    ),
    "marriage_promise": (
        "Ai i premtoi martesë dhe e çoi në Itali.",
        "He promised to marry her and took her to Italy.",
    ),
    "online_contact": ("E njohu në Facebook para një muaji.", "She met him online last month."),
    "unlicensed_agency": (
        "Një agjenci pa licencë po rekruton vajza.",
        "An unlicensed agency is recruiting.",
    ),
    "transport_paid": ("Ai ia pagoi biletën e avionit.", "He paid for her ticket."),
    "passport_requested": (
        "Rekrutuesi kërkon pasaportat e vajzave.",
        "He asks for their passports.",
    ),
    "threats": ("E kërcënojnë se do t'i bëjnë keq familjes.", "They threaten her family."),
    "blackmail": ("E shantazhon me foto.", "He is blackmailing her with photos."),
    "violence": ("Pronari e rreh çdo natë.", "The owner beats her every night."),
    "locked_in": ("E mbajnë të mbyllur në një dhomë.", "They keep her locked in a room."),
    "cannot_leave": ("Nuk e lënë të dalë nga shtëpia.", "She is not allowed to leave the house."),
    "watched_escorted": (
        "E shoqërojnë kudo dhe flasin në vend të saj.",
        "Someone always speaks for her.",
    ),
    "coercion": ("E mbajnë kundër vullnetit të saj.", "They keep her there against her will."),
    "fear": ("Vajza dukej e frikësuar.", "The girl looked scared."),
    "sold_person": ("E shitën për 3000 euro.", "They sold her for 3000 euros."),
    "forced_marriage": (
        "E martuan me forcë me një burrë të moshuar.",
        "She was forced to marry an old man.",
    ),
    "documents_withheld": ("Pronari ia ka marrë pasaportën.", "The employer took her passport."),
    "no_documents": ("Ajo është pa dokumente.", "She has no papers."),
    "debt_bondage": (
        "I thonë që ka borxh për udhëtimin.",
        "They say she owes them for the journey.",
    ),
    "wages_withheld": ("Nuk e paguajnë prej tre muajsh.", "He has not been paid for months."),
    "isolation": ("Ia morën telefonin.", "They took her phone."),
    "missing_contact": ("Ka humbur prej tre ditësh.", "She has been missing since Monday."),
    "unknown_address": ("Nuk e di ku ndodhet.", "She does not know the address."),
    "excessive_hours": ("Punon 16 orë në ditë pa pushim.", "He works 16 hours a day."),
    "sleeps_at_work": ("Punëtorët flenë në kantier.", "The workers sleep at the farm."),
    "poor_conditions": ("Punojnë pa kontratë dhe pa ushqim.", "They work with no contract."),
    "forced_prostitution": ("E detyrojnë të prostituohet.", "They force her into prostitution."),
    "sexual_abuse": ("Shefi e ngacmon seksualisht çdo ditë.", "The boss molests her."),
    "abuse_images": ("Shpërndan foto të zhveshura të saj.", "He is selling nude photos of her."),
    "sex_work": ("Ajo punon si prostitutë.", "She works as an escort."),
    "voluntary": ("E bën me dëshirën e saj.", "She does it by her own choice."),
    "forced_labour": ("E detyrojnë të punojë në fermë.", "He is made to work on the farm."),
    "sent_to_work": ("E dërguan në Greqi për të punuar.", "They sent him to work in Greece."),
    "domestic_work": ("Punon si shërbyese në një shtëpi.", "She works as a maid."),
    "labour_sector": ("Punon në një kantier ndërtimi.", "He works on a construction site."),
    "cannabis_cultivation": ("Punon në një fermë kanabisi.", "He works on a cannabis farm."),
    "begging": ("Fëmijët lypin te semafori.", "The children are begging at the lights."),
    "street_work": ("Shesin shami te semaforët.", "They sell flowers in the bars."),
    "begging_organised": ("Një furgon i sjell çdo mëngjes.", "A man drops them off every morning."),
    "forced_criminality": ("I detyrojnë të vjedhin në treg.", "They are forced to steal."),
    "minor_mentioned": ("Është një vajzë e mitur.", "She is a minor."),
    "child_unaccompanied": ("Burri nuk është babai i saj.", "The man is not her father."),
    "payment_to_family": (
        "Prindërit marrin para për vajzën e tyre të mitur.",
        "The parents of the child got money and sent him away.",
    ),
    "out_of_school": ("Fëmija nuk shkon në shkollë.", "The boy does not go to school."),
    "moved_abroad": ("E çuan në Itali.", "They took her to Italy."),
    "transported": ("E sollën në Tiranë natën.", "They brought her to Tirana."),
    "border_crossing": ("I pashë në Kakavijë.", "I saw them at Kapshtica."),
    "destination_country": ("Tani është në Gjermani.", "She is now in Germany."),
    "returnee": ("U kthye nga Anglia muajin e kaluar.", "He was deported from the UK."),
    "marginalised_community": ("Familja është rome.", "The family is Roma."),
    "poverty": ("Familja është shumë e varfër.", "The family is very poor."),
    "domestic_violence": ("Vuan dhunë në familje.", "She suffers domestic violence."),
    "unregistered": ("Fëmija është i paregjistruar.", "The child is unregistered."),
    "official_complicity": (
        "Një polic merr para nga pronari.",
        "A police officer takes money from him.",
    ),
    "avoid_agency": ("Mos ia dërgoni policisë së qytetit.", "Please don't tell the police here."),
    "imminent_danger": ("Vajza është në rrezik.", "The girl is in danger."),
    "plea_for_help": ("Ju lutem ndihmë!", "Please help."),
    "urgent_soon": ("Do ta nisin sonte.", "They will move her tonight."),
    "urgent_time": ("Është atje tani.", "She is there now."),
    "smuggling": ("Kalojnë kufirin ilegalisht me gomone.", "He smuggles migrants in lorries."),
    "information_request": ("Si mund të raportoj?", "How can I report?"),
    "greeting": ("Përshëndetje", "Hello"),
    "spam": ("Fitoni para, klikoni www.fitim.com", "Click here to win, www.win.com"),
    "chain_message": ("Shpërndajeni te të gjithë!", "Share this with everyone!"),
    "joke": ("Haha po tallem", "lol just kidding"),
    "suspicion": ("Dyshoj se ka trafikim.", "I think this is trafficking."),
    "report_intent": ("Dua të raportoj diçka.", "I want to report something."),
    "job_offer": ("Kam një ofertë pune në Greqi.", "I got a job offer in Italy."),
    "abduction": ("E rrëmbyen vajzën para shkollës.", "They kidnapped her outside the school."),
    "child_labour": (
        "Një djalë 12 vjeç punon në lavazh çdo ditë.",
        "A boy of 12 works at the car wash.",
    ),
    "disability": ("Ai ka probleme mendore.", "He has a learning disability."),
    "earnings_quota": (
        "Duhet të sjellë 300 euro çdo natë.",
        "She has to bring 300 euros a night.",
    ),
    "exploited": ("E shfrytëzojnë në një fermë.", "She is exploited in a bar."),
    "first_person": ("Më kanë marrë pasaportën.", "They took my passport."),
    "hearsay": ("Njerëzit thonë se e mbajnë atje.", "People say he keeps girls there."),
    "held_by_force": ("E mbajnë me zor në shtëpi.", "She is held against her will."),
    "hypothetical": ("Çfarë duhet të bëj nëse shoh diçka?", "What should I do if I see something?"),
    "lawful_travel": ("Shkon me shkollën në ekskursion.", "He goes on a school trip."),
    "ongoing": ("E mbajnë ende atje.", "She is still there."),
    "online_child_abuse": (
        "Dikush i kërkon vajzës 13 vjeç foto në Instagram.",
        "A man asks my 13 year old for photos and says keep it secret.",
    ),
    "online_recruitment": (
        "Një djalë në Instagram i ofroi punë si kameriere.",
        "A man on Instagram offered her a job as a waitress.",
    ),
    "organ_removal": ("I ofruan para për veshkën.", "They want to sell his kidney."),
    "own_children": ("Kërcënon gruan dhe fëmijët.", "He threatens her children."),
    "passport_requested_remote": (
        "Një profil në Instagram i ofron punë në Itali dhe kërkon ta dërgojë pasaportën me postë.",
        "An agency on Facebook offering work in Italy wants her to send a copy of her passport.",
    ),
    "lawful_holder": (
        "Pasaporta ime është në ambasadë për vizën.",
        "My passport is at the embassy for the visa.",
    ),
    "lawful_debt": (
        "Kam borxh në bankë për kredinë e shtëpisë.",
        "I have a bank loan debt for the house.",
    ),
    "organ_donation": (
        "Dua t'i dhuroj një veshkë tezes sime.",
        "I want to donate a kidney to my aunt.",
    ),
    "past_event": ("Ndodhi para 10 vjetësh.", "It happened years ago."),
    "phone_call": ("E merr në telefon çdo ditë.", "I call her every day."),
    "recruitment_fee": (
        "Agjencia kërkon 500 euro për vizën.",
        "They have to pay 500 euros for the visa.",
    ),
    "servitude": ("E mbajnë si skllave.", "They treat her like a slave."),
    "trafficked": ("E kanë trafikuar në Itali.", "She was trafficked to Italy."),
    "witnessed": ("E kam parë me sytë e mi.", "I saw it myself."),
    "child_sexual_context": (
        "Vajzën 14 vjeçe e çojnë te klientët.",
        "A 14 year old girl is taken to clients.",
    ),
    "awareness": ("A keni material për ndërgjegjësim?", "Do you have awareness leaflets?"),
    "document_copy": (
        "Agjencia turistike kërkon fotokopje të pasaportës për biletat.",
        "The landlord wants a copy of my passport.",
    ),
    "dismissal_threat": (
        "Shefi e kërcënon se do ta pushojë nga puna.",
        "The manager threatened to fire him.",
    ),
    "family_dispute": (
        "Jam në divorc dhe ish-burri do t'i marrë fëmijët me vete.",
        "My ex-husband wants to take our son abroad without my consent.",
    ),
    "eviction": (
        "Pronari do na nxjerrë jashtë se s'kemi paguar qiranë.",
        "The landlord wants to evict us.",
    ),
    "not_urgent": (
        "Kjo nuk është urgjente, por doja t'ju tregoja.",
        "This is not urgent, just letting you know.",
    ),
    "owed_to_reporter": (
        "Vëllai më ka borxh tre mijë euro.",
        "My cousin owes me 3000 euros.",
    ),
    "employs": (
        "Pronari mban tre vajza në punë.",
        "The owner employs three women.",
    ),
    "minor_stated": (
        "Goca e komshiut, klasa e 7, e kanë fejuar.",
        "My neighbour's daughter is in seventh grade.",
    ),
    "not_joking": (
        "Nuk e kam me shaka, jam si skllav këtu.",
        "I'm not joking, they keep us here.",
    ),
    "obtain_document": (
        "A mund të marr leje qëndrimi në Belgjikë?",
        "How do I renew my passport?",
    ),
    "saving_money": (
        "Punon të shtunën dhe i mbledh lekët për telefon.",
        "He is saving up for a phone.",
    ),
    "own_documents": (
        "Pasaportën e ka vetë, por nuk i paguajnë rrogën.",
        "He still has his passport.",
    ),
    "stolen_or_lost": (
        "M'u vodh çanta me dokumenta në stacion.",
        "My passport was stolen at the station.",
    ),
    "stranger_companion": (
        "Me të udhëton një burrë që s'e njohim fare.",
        "She left with a man nobody knows.",
    ),
    "sold_thing": (
        "Dyqani më shiti telefon të prishur.",
        "Someone is selling fake residence permits.",
    ),
    "nothing_given": (
        "Nuk kam paguar asgjë dhe s'kam dhënë dokument.",
        "I haven't paid anything yet.",
    ),
    "survivor": (
        "Kam qenë e strehuar në 2016, tani kërkoj punë.",
        "Survivor here, I need help with housing.",
    ),
    "birth_year": ("Vajza e lindur në 2011.", "A girl born in 2011."),
    "family_event": ("Shkon në dasmën e kushëririt.", "She goes to a family wedding."),
    "child_domestic_work": (
        "Një vajzë 12 vjeçe pastron shtëpinë e familjes.",
        "A girl of 12 cleans for the family upstairs.",
    ),
    "child_marriage": ("Vajza 15 vjeçe fejohet të shtunën.", "A 15 year old is getting married."),
    "asks_whether": (
        "Nuk më paguajnë orët shtesë. A është kjo shfrytëzim?",
        "They don't pay her overtime. Is that exploitation?",
    ),
    "accused_reporter": (
        "Ish-burri më akuzon se e shes vajzën, por s'është e vërtetë.",
        "My ex accuses me of trafficking our son. How do I clear my name?",
    ),
    "animal_welfare": (
        "Në oborrin ngjitur ka një qen të lidhur me zinxhir.",
        "The neighbours keep a dog chained in the yard.",
    ),
    "second_topic": (
        "Faleminderit për përgjigjen. Edhe diçka, motra ime është në Itali.",
        "Thanks for the leaflets. Also: my cousin is in Italy.",
    ),
    "no_controller": (
        "S'kam parë njeri që t'ia marrë lekët.",
        "I have never seen an adult take their money.",
    ),
    "found_safe": ("Gjyshja më tha që është aty dhe mirë.", "She's safe at her aunt's now."),
    "house_rules": (
        "Në konvikt dera mbyllet në orën 22.",
        "Our dorm locks the door at 11 pm.",
    ),
    "service_question": (
        "A është e vërtetë që mund të raportoj anonim?",
        "Is it true nobody can see my number?",
    ),
    "since_left": ("Ka dalë prej vitesh nga ajo punë.", "She has been back home for years."),
    "stay_ended": (
        "I ka mbaruar qëndrimi në qendër dhe s'ka ku të flejë.",
        "Her shelter stay ended last week.",
    ),
    "figurative": (
        "Na mbajti peng trafiku dy orë në Rinas.",
        "My parents treat me like a prisoner before exams.",
    ),
    "elderly_care": (
        "Gjyshen e mbajmë në krevat, nuk del më nga shtëpia.",
        "My grandmother is bedridden and never goes out.",
    ),
    "relative_partner": (
        "Udhëton me të dashurin e tezes.",
        "She is flying with her aunt's boyfriend.",
    ),
}


def _strip_diacritics(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")


def test_every_catalogue_indicator_has_an_example_sentence_in_both_languages() -> None:
    assert set(EXAMPLES) == {i.id for i in load().indicators}


@pytest.mark.parametrize(("indicator", "lang_index"), [(i, n) for i in EXAMPLES for n in (0, 1)])
def test_indicator_fires_on_its_example(indicator: str, lang_index: int) -> None:
    text = EXAMPLES[indicator][lang_index]
    assert indicator in fired(text), text


@pytest.mark.parametrize("indicator", sorted(EXAMPLES))
def test_indicator_fires_without_diacritics_and_in_capitals(indicator: str) -> None:
    albanian, english = EXAMPLES[indicator]
    assert indicator in fired(_strip_diacritics(albanian)), _strip_diacritics(albanian)
    assert indicator in fired(albanian.upper()), albanian.upper()
    assert indicator in fired(english.upper()), english.upper()
