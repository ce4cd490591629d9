"""One-time passphrases for the web form: common words, easy to write down, stored only hashed.

A passphrase is PASSPHRASE_WORDS words drawn with `secrets` from a list of the page's language
(about 40 bits with 256-word lists). It is checked after `normalise`, so "Shtëpi  Lumë" typed as
"shtepi lume" on a phone without Albanian letters still opens the report.
"""

from __future__ import annotations

import secrets
import unicodedata

PASSPHRASE_WORDS = 5


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


SQ_WORDS = _words("""
abetare ajër akull alfabet ananas anije ari arkë arrë artist arë bahçe balenë bankë bar bark
bastun bebe bilbil bletë bllok bojë borë breshkë breshër bretkosë brez buf bukë bulevard burim
burrë buzë copë dardhë darkë dash dashuri dele delfin dem det dhelpër dhi dhomë diell dimër
djalë djathë dollap domate dorë dre dritare dru dyqan ecje elefant erë fier fik fjalë flamur
fletore flokë flutur fole fshat fshesë fund furrë fushë fëmijë gardh gjak gjel gjethe gjuhë
gomar gotë grurë guaskë gur gusht gështenjë gëzim hambar hartë hekur hije hundë hënë ishull
jastëk javë jetë kafe kalë kamion kanal kapelë karrige kashtë kastravec katund kec kockë
kodër kokë kopsht kos kovë krah kripë krua kufi kukull kulm kumbull kungull kuti kënetë këngë
lajthi lakër lejlek lepur letër libër limon liqen lis lojë lopë lot lule lulëkuqe lumë lëkurë
lëndinë lëng mace majë mal mall mantel mbret mbrëmje miell mik mjaltë mjekër mollë mulli mur
mëngjes mësues natë ndihmë ngjyrë njeri oqean orë pallto pantallona pasqyrë patate pemë peshk
pikë pishë pjatë pjepër plak plazh pluhur portë pranverë pullë pulë pyll pëlhurë pëllumb përrua
qengj qershi qiell qiri qumësht qytet radio rosë rrotë rrugë rrush rërë sapun shalqi shami shegë
shelg shi shkallë shkollë shpellë shpend shpresë shqiponjë shteg shtëpi sorrë spec sqep stacion
stol sy tavan tavolinë tenxhere thes thikë tokë top tren trëndafil tullë ujk ujë ulli urë ushqim
vajzë valë vapor varkë vend verë vesh vezë vjeshtë vullnet xixëllonjë yll zambak zemër zog çadër
çaj çantë çati çelës çorap
""")

EN_WORDS = _words("""
acorn anchor apple apron arrow autumn badge bakery banana barn basket beach bean bear beaver
bell bench berry bicycle blanket boat bottle bread brick bridge broom brush bucket butter
button cabin cactus camel candle canoe canyon carpet carrot castle cat cherry chess chimney
circle cliff clock cloud clover coconut coffee comet copper corn cotton cradle crayon cricket
crown cup curtain daisy desert diamond dolphin donkey door dragon drum duck eagle earth
elbow engine falcon feather fence fern field finger fire fish flag flower flute forest fountain
fox frog garden garlic giraffe glove goat grape grass guitar hammer harbor harp hat hazel
helmet hill honey horse island ivory jacket jasmine jelly kettle key kite kitten ladder lake
lamp lantern lemon letter lily lion lizard lobster magnet mango maple marble meadow melon
mirror mitten monkey moon mountain mouse mug needle nest noodle notebook oak ocean olive onion
orange orchard otter owl oyster paddle paint palace panda paper parrot peach peanut pear pebble
pencil pepper piano pillow pine planet plum pocket pond potato pumpkin puzzle rabbit radio
rain raven ribbon river robin rocket rope rose saddle sail salt sand scarf seal shadow shell
ship shoe silver sky sled snail snow sock spoon spring squirrel star stone storm straw sugar
summer sun swan table teapot tent thunder tiger toast tomato tower tractor train tree tulip
turtle umbrella valley velvet violin wagon walnut water whale wheat wheel willow window winter
wolf wool yarn zebra
""")

WORDS = {"sq": SQ_WORDS, "en": EN_WORDS}


def new_passphrase(lang: str) -> str:
    """Draw a fresh passphrase in the language's word list (English for anything else)."""
    words = WORDS.get(lang, EN_WORDS)
    return " ".join(secrets.choice(words) for _ in range(PASSPHRASE_WORDS))


def normalise(passphrase: str) -> str:
    """Lower case, no diacritics, one space between words: what is hashed and checked."""
    decomposed = unicodedata.normalize("NFKD", passphrase.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    words = "".join(c if c.isalnum() else " " for c in plain).split()
    return " ".join(words)
