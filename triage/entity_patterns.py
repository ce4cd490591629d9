"""Patterns, word lists and two string helpers for triage.entities (plates, web addresses,
cues, business words, profile names, business-name keys).

Everything here is compiled once at import (a few regular expressions, no data files). Patterns
that end in "_F" run on the folded text (triage.normalise.fold: lower case, ë→e, ç→c, same
length), the others on the text as written.
"""

from __future__ import annotations

import re

from triage.normalise import fold

# --- Phones -------------------------------------------------------------------------------------

# The writer presents a number as their own just before it ("numri im është", "call me on") …
OWN_BEFORE_F = re.compile(
    r"(?:\b(?:numri|numrin|nr\.?|nri|tel\.?|telefoni|celulari|cel)\s+(?:im|tim)\b"
    r"|\bme\s+(?:telefononi|merrni|kontaktoni|shkruani|gjeni|kerkoni|nisni\s+mesazh)\b"
    r"|\bmund\s+(?:te|t')\s*me\s+\w+\b"
    r"|\bmy\s+(?:(?:phone|mobile|cell|whatsapp|viber|telegram)\s+)?(?:number|phone|mobile|no\.?)\b"
    r"|\b(?:call|text|contact|reach|message|ring|whatsapp)\s+me\b(?:\s+(?:on|at|back))?)"
    r"[^.!?\n\d+]{0,24}$"
)
# … or just after it ("069… (numri im)", "… is my number").
OWN_AFTER_F = re.compile(
    r"^[^.!?\n\d]{0,16}?(?:\b(?:numri|nr\.?)\s+(?:im|tim)\b|\bmy\s+(?:number|phone|mobile)\b)"
)

# --- Plates -------------------------------------------------------------------------------------

# Greek plates use only the capitals that look Latin; people type either alphabet.
GREEK_TO_LATIN = str.maketrans("ΑΒΕΖΗΙΚΜΝΟΡΤΥΧαβεζηικμνορτυχ", "ABEZHIKMNOPTYXABEZHIKMNOPTYX")
_GR = "A-Za-zΑΒΕΖΗΙΚΜΝΟΡΤΥΧαβεζηικμνορτυχ"
_SEP = r"[ \-]?"
# (name, pattern); matched case-insensitively, then judged on case and cue words.
PLATES: tuple[tuple[str, re.Pattern[str]], ...] = (
    # Albanian and Italian: AA 123 BB.
    ("al", re.compile(rf"(?<![\w-])([A-Za-z]{{2}}){_SEP}(\d{{3}}){_SEP}([A-Za-z]{{2}})(?![\w-])")),
    # Kosovo: 01-123-AB.
    ("xk", re.compile(rf"(?<![\w-])(\d{{2}}){_SEP}(\d{{3}}){_SEP}([A-Za-z]{{2}})(?![\w-])")),
    # United Kingdom: AB12 CDE.
    ("uk", re.compile(r"(?<![\w-])([A-Za-z]{2}\d{2}) ?([A-Za-z]{3})(?![\w-])")),
    # Germany: M-AB 1234 (the dash after the district is what tells it apart).
    (
        "de",
        re.compile(r"(?<![\w-])([A-Za-zÄÖÜäöü]{1,3})-([A-Za-z]{1,2}) ?(\d{1,4}[EHeh]?)(?![\w-])"),
    ),
    # Greece: ABC-1234 / ΑΒΓ-1234.
    ("gr", re.compile(rf"(?<![\w-])([{_GR}]{{3}}){_SEP}(\d{{4}})(?![\w-])")),
)
# A vehicle word within a few words makes a lower-case plate credible.
PLATE_CUE_F = re.compile(
    r"\b(?:targ\w*|tabel\w*|makin\w*|furgon\w*|kamion\w*|autobus\w*|vetur\w*|automjet\w*|benz"
    r"|mercedes\w*|audi|bmw|golf|opel|fiat|toyota|volkswagen|vw|range|plates?|cars?|vans?"
    r"|trucks?|registration|reg|licen[cs]e|vehicle|minibus\w*|furgonet\w*)\b"
)
PLATE_CUE_WORDS = 6
# Two-letter words: a lower-case "at 123 on" beside "van" is a sentence, not a plate.
SHORT_WORDS = frozenset(
    {"ne", "me", "te", "ka", "je", "se", "do", "po", "ta", "ia", "na", "ju", "ai", "at", "on",
     "in", "of", "to", "is", "it", "by", "an", "as", "or", "my", "he", "we", "up", "so", "no",
     "be", "am"}
)  # fmt: skip
# Three capitals and four digits is also a price in a currency ("EUR 1500", "ALL 5000").
NOT_PLATE_LETTERS = frozenset({"EUR", "ALL", "USD", "GBP", "CHF", "LEK", "MKD", "RSD", "TRY"})

# --- Web addresses, handles, e-mail, IBAN -------------------------------------------------------

TLDS = (
    "com|net|org|info|biz|eu|al|it|gr|de|uk|fr|es|nl|be|ch|at|mk|rs|me|xk|tr|ru|us|io|co|tv|ly"
    "|ws|cc|app|online|site|shop|store|club|top|xyz|live|link|page|work|jobs|agency"
)
URL = re.compile(
    r"(?:https?://|www\.)[^\s<>\"'“”«»]+"
    rf"|(?<![\w@.\-])(?:[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?\.)+(?:{TLDS})\b"
    r"(?![\w@\-])(?:/[^\s<>\"'“”«»]*)?",
    re.IGNORECASE,
)
# Cheap test first: no letter-dot-letter and no "://", no web address.
DOTTED = re.compile(r"[^\W_]\.[^\W\d_]|://")
URL_TRAILING = ".,;:!?)]}'\"”’»"
EMAIL = re.compile(
    r"(?<![\w.+\-])[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}\b"
)
HANDLE = re.compile(r"(?<![\w@./])@([A-Za-z0-9_](?:[A-Za-z0-9_.]{0,28}[A-Za-z0-9_])?)")
# Host (after www./m.) → the path segments that are not profiles.
PROFILE_HOSTS: dict[str, frozenset[str]] = {
    "facebook.com": frozenset({"groups", "pages", "events", "watch", "share", "photo", "photo.php",
                               "story.php", "permalink.php", "marketplace", "reel", "hashtag",
                               "login", "help", "profile.php"}),
    "fb.com": frozenset({"groups", "pages", "events", "watch", "share"}),
    "instagram.com": frozenset({"p", "reel", "reels", "explore", "stories", "tv", "accounts"}),
    "tiktok.com": frozenset({"tag", "discover", "music", "video", "t"}),
    "t.me": frozenset({"joinchat", "s", "c", "addstickers", "share"}),
    "telegram.me": frozenset({"joinchat", "s", "c"}),
    "x.com": frozenset({"i", "home", "search", "hashtag", "intent", "share"}),
    "twitter.com": frozenset({"i", "home", "search", "hashtag", "intent", "share"}),
    "youtube.com": frozenset({"watch", "shorts", "results", "playlist", "embed", "feed"}),
}  # fmt: skip
# YouTube and TikTok profiles start with "@"; YouTube's older forms are /c/NAME and /user/NAME.
PROFILE_PREFIXES = frozenset({"c", "user", "channel"})
HANDLE_NAME = re.compile(r"[A-Za-z0-9_.]{2,50}")
# "faqja X në Facebook", "profili X ne Instagram", "the page X on TikTok".
PROFILE_PHRASE_F = re.compile(
    r"\b(?:faqj\w*|faqe\w*|profil\w*|llogari\w*|page|profile|account)\s+(?:e\s+|i\s+|te\s+)?"
    r"[\"'“«]?@?([\w.]{3,40}?)[\"'”»]?\s+(?:ne|on|in|n')\s*"
    r"(?:facebook|fb|instagram|insta|ig|tiktok|telegram|twitter|x)\b"
)
IBAN = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}(?: ?[A-Za-z0-9]{1,4}){3,8}")

# --- Businesses ---------------------------------------------------------------------------------

# Canonical type → folded stems; Albanian definite and case endings are added below.
_ENDINGS = r"(?:a|e|i|u|ja|je|ne|se|in|it|en|es|et|at|ve|ave|eve|n|s|t)?"
BUSINESS_STEMS: dict[str, tuple[str, ...]] = {
    "massage": (r"sallon\w{0,3}\s+(?:i\s+|te\s+)?masazh\w*", r"qend(?:er|r)\w{0,3}\s+(?:e\s+)?"
                r"masazh\w*", r"massage\s+(?:parlou?r|salon|cent(?:er|re))"),
    "salon": (r"sallon\w{0,3}(?:\s+(?:i\s+|te\s+)?bukuri\w*)?", r"(?:beauty\s+)?salon"),
    "club": (r"night\s*club", r"nightclub", r"klub\w{0,3}(?:\s+nate)?", r"club", r"disko\w{0,2}",
             r"disco"),
    "garment": (r"fasoneri\w{0,3}", r"garment\s+(?:factory|workshop)"),
    "carwash": (r"lavazh\w{0,3}", r"car\s*wash"),
    "construction": (r"kantier\w{0,3}", r"(?:construction|building)\s+site"),
    "bar": (rf"bar{_ENDINGS}",), "lokal": (rf"lokal{_ENDINGS}",),
    "hotel": (rf"hotel{_ENDINGS}",), "motel": (rf"motel{_ENDINGS}",),
    "restaurant": (r"restorant\w{0,3}", r"restaurant"),
    "pizzeria": (r"pi(?:zz|z|c)eri\w{0,3}",),
    "cafe": (r"kafene\w{0,3}", r"kafe(?:ja|ne|se)?", r"cafe"),
    "factory": (rf"fabrik{_ENDINGS}", r"factory"),
    "workshop": (r"punisht\w{0,3}", r"workshop"),
    "greenhouse": (r"serr?(?:a|e|en|es|at|ave)?", r"greenhouse"),
    "farm": (rf"ferm{_ENDINGS}", r"farm"),
    "agency": (r"agjenci\w{0,3}", r"agency"),
    "market": (r"(?:super)?market\w{0,3}",),
    "bakery": (r"furr(?:e|a|en|es)", r"bakery"),
    "casino": (r"[kc]azino\w{0,2}", r"casino"),
}  # fmt: skip
# The lookahead (every business word's first letter) makes the scan three times faster.
BUSINESS_F = re.compile(
    r"\b(?=[abcdfghklmnpqrsw])(?:"
    + "|".join(f"(?P<{kind}>{'|'.join(stems)})" for kind, stems in BUSINESS_STEMS.items())
    + r")\b"
)
# English business words take a descriptor before them ("shoe factory"), not after.
ENGLISH_TYPES_F = re.compile(
    r"(?:factory|workshop|greenhouse|farm|agency|bakery|restaurant|club|salon|bar|hotel|cafe)$"
)
QUOTED = re.compile(r"\s+[\"'“”«„‘’]([^\"'“”«»„‘’\n]{2,40})[\"'“”»‘’]")
CAPITALISED = re.compile(
    r"(?:\s+|\s*-\s*)?((?:[A-ZÇË][\w'’&-]*)(?:\s+(?:[A-ZÇË0-9][\w'’&-]*)){0,3})"
)
# Capitalised words just before the business word ("the Blue Moon bar"); group 2: two or more.
CAPITALISED_BEFORE = re.compile(r"([A-ZÇË][\w'&-]*\s+((?:[A-ZÇË][\w'&-]*\s+){0,2}))$")
# "fabrika e këpucëve", "kantierin e pallatit", "punishte rrobash" (genitive or ablative).
GENITIVE_F = re.compile(r"\s+(?:(?:e|i|te|se)\s+([a-z]{2,}(?:ve|it|ut|es))|([a-z]{3,}sh))\b")
# "at a shoe factory": an English determiner, then the descriptor.
DESCRIPTOR_BEFORE_F = re.compile(
    r"\b(?:a|an|the|this|that|my|our|his|her|their|its|your)\s+([a-z]{3,})\s+$"
)
GENERIC_DESCRIPTORS = frozenset(
    {"lagjes", "rruges", "qytetit", "fshatit", "zones", "tij", "saj", "tyre", "nates", "dites"}
)
NOT_NAMES = frozenset(
    {"ne", "në", "in", "at", "the", "a", "an", "nje", "një", "ai", "ajo", "ata", "ato", "kjo",
     "ky", "this", "that", "there", "ku", "where", "and", "dhe", "me", "with", "te", "të", "tek",
     "near", "prane", "pranë", "afer", "afër", "e", "i", "se", "së", "called", "quajtur",
     "my", "our", "his", "her", "their", "small", "big", "old", "new", "local", "same", "some",
     "one", "night", "nate", "nates"}
)  # fmt: skip
# Definite and case endings trimmed from name words, longest first ("Adriatiku" → "adriatik").
NAME_ENDINGS = ("ave", "eve", "it", "in", "ut", "un", "es", "en", "ve", "sh", "i", "u", "a", "e")
BUSINESS_PLACE_WORDS = 6

# --- Places -------------------------------------------------------------------------------------

# Finest first: a span matched by a town and by its qark is the town.
PLACE_RANK = {"neighbourhood": 0, "town": 1, "border_crossing": 1, "airport": 1, "port": 1,
              "city_abroad": 1, "municipality": 2, "qark": 3, "country": 4}  # fmt: skip


def handle_of_url(host: str, path: str) -> str | None:
    """The profile name in a social-media address ("instagram.com/NAME"), lower case, or None."""
    reserved = PROFILE_HOSTS.get(host)
    segments = [s for s in path.split("/") if s]
    if reserved is None or not segments:
        return None
    first = segments[0]
    if first in PROFILE_PREFIXES and len(segments) > 1 and host == "youtube.com":
        first = segments[1]
    elif first.lower() in reserved or first.startswith("+"):
        return None
    name = first.removeprefix("@")
    return name.lower() if HANDLE_NAME.fullmatch(name) else None


def name_key(name: str) -> str:
    """A business name or descriptor as a key: folded, articles and case endings trimmed."""
    words = [w for w in re.split(r"[^a-z0-9]+", fold(name)) if w]
    while words and words[0] in NOT_NAMES:
        words.pop(0)
    trimmed = []
    for word in words:
        for _ in range(2):  # "këpucësh" → "këpucë" → "këpuc", as "këpucëve" → "këpuc"
            cut = next((e for e in NAME_ENDINGS if word.endswith(e)), "")
            if not cut or len(word) - len(cut) < 3:
                break
            word = word[: -len(cut)]
        trimmed.append(word)
    return " ".join(trimmed)
