"""Finding and redacting personal data in free text. Pure functions, no I/O.

Used wherever text leaves the case page: intake (``Case.text_redacted``), queue previews, other ministries' and
triage staff's view of a case, exports, Open311, training data and logs.

What goes, each replaced by a neutral mark: e-mail addresses ``[email]``, IBANs ``[iban]``, identity and tax numbers
(Senegal CNI, Mali NINA, Kenya ID and KRA PIN, Moroccan CIN, passports) ``[id]``, phone numbers ``[phone]``,
street-level addresses ``[address]`` and people's names where the text says it is a name (after "je m'appelle",
"my name is", "jina langu ni", "اسمي", a title such as "Madame" or "Bw.") ``[name]``.

What stays, because routing needs it and it names no one: towns and districts (Kaolack, Nairobi), roads named
after the town they lead to (route de Rufisque, Thika Road: only with a house number do they go), institutions
("hôpital Dr ...", "centre de santé ..."), offices ("Monsieur le Ministre"), amounts and dates.
"""
from __future__ import annotations

import re
from collections.abc import Iterable

import phonenumbers

DEFAULT_REGIONS = ("SN", "ML", "MA", "KE", "FR")
NON_WORD = re.compile(r"\W+")


def _words(cues: str, separator: str | None = None) -> tuple[str, ...]:
    """Cue words or phrases as looked for in ``_as_words(text)``: padded with spaces, so "rue" is not in "true"."""
    return tuple(f" {cue.strip()} " for cue in cues.split(separator))


def _as_words(text: str) -> str:
    """The text's words, each between single spaces: a pattern's word boundaries are spaces here."""
    return f" {NON_WORD.sub(' ', text)} "


EMAIL_MARK = "[email]"
PHONE_MARK = "[phone]"
ID_MARK = "[id]"
IBAN_MARK = "[iban]"
NAME_MARK = "[name]"
ADDRESS_MARK = "[address]"

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)

# IBAN: country, check digits, then the account in groups of four (spaces optional), at most 34 characters.
IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b", re.IGNORECASE)
# Lengths where a mistyped check digit should not keep an account visible; other countries need a valid checksum.
IBAN_LENGTHS = {"MA": 28, "SN": 28, "ML": 28, "CI": 28, "BF": 28, "BJ": 28, "NE": 28, "TG": 28, "GW": 25,
                "MR": 27, "CM": 27, "FR": 27, "DZ": 26, "TN": 24, "BE": 16, "DE": 22, "GB": 22, "ES": 24, "IT": 27}

# Kenya's KRA PIN (A012345678Z): before phone numbers, whose matcher reads its nine digits as one.
KRA_PIN = re.compile(r"\b[A-Za-z]\d{9}[A-Za-z]\b")
# National identity numbers: long digit runs (Senegal CNI 13, Kenya ID 7-8, Mali NINA 15) and Moroccan CIN
# (one or two letters then digits: BE123456, be123456, BE 123456; with a space only in capitals, as "de 25000"
# is an amount).
ID_NUMBER = re.compile(r"\b(?:[A-Za-z]{1,2}\d{5,8}|[A-Z]{1,2} \d{5,8}|\d{7,20})\b")
# A digit run after the name of an identity document is that document's number, not a phone number of the same
# length (a Kenyan ID has eight digits, as has a Malian phone number).
ID_AFTER_KEYWORD = re.compile(
    r"(?P<keyword>(?<!\[)\b(?i:cni|nina|cin|id|pin|kitambulisho|passeport|passport|carte\s+d['’]identité|identity\s+card|"
    r"(?:numéro|number|n°|no\.?)\s+(?:de\s+)?(?:cni|nina|cin|id)|رقم\s+البطاقة|البطاقة\s+الوطنية)\b\s*"
    r"(?i:no\.?|n°|number|numéro|nambari|:|#)?\s*)\d[\d ]{4,22}\d\b")
ID_CUES = _words("cni nina cin id pin kitambulisho passport passeport identité identity") + ("البطاقة",)
PHONE_CANDIDATE = re.compile(r"(?:\+|00)?\d[\d .\-()/]{6,}\d")

# --- Names -----------------------------------------------------------------------------------------------------------
# A capitalised word (Latin script, accents, N'Diaye, Ba-Diallo); the Arabic script has no capitals, so an Arabic
# name is only taken after an explicit "my name is" / title, and stops at a common word.
CAPITALISED = r"[A-ZÀ-ÖØ-ÞĀ-Ž][\w'’-]*"
NAME_PARTICLE = r"(?:ben|bin|bint|ibn|ould|mint|ag|el|al|wa)"
LATIN_NAME = rf"{CAPITALISED}(?:\s+(?:{NAME_PARTICLE}\s+)?{CAPITALISED}){{0,3}}"
# Phrases that introduce the writer's name; "I am" and "je suis" also introduce many other things, so after them a
# word in capitals ("I AM NOT", all-caps text) is no name.
NAMING = (r"(?i:\b(?:je\s+m['’]appelle|mon\s+nom\s+est|moi\s+c['’]est|my\s+name\s+is|jina\s+langu\s+ni|"
          r"naitwa))")
BEING = r"(?i:\b(?:je\s+suis|i\s+am|i['’]m|mimi\s+ni))"
TITLE = (r"\b(?:[Mm]adame|[Mm]onsieur|[Mm]ademoiselle|[Dd]octeur|Mme|Mlle|Mr|Mrs|Ms|Dr|Pr|Bi|Bw|[Bb]wana|[Bb]ibi)"
         r"\.?|\bM\.")
LATIN_NAME_AFTER = re.compile(rf"(?P<lead>(?:{NAMING}|(?P<being>{BEING})|{TITLE})\s+)(?P<name>{LATIN_NAME})")
# Cue words for the patterns above, as whole words of the text (see ``_words``); titles as written.
NAME_CUES = _words("m appelle|nom est|moi c est|name is|jina langu ni|naitwa|je suis|i am|i m|mimi ni|madame|monsieur|"
                   "mademoiselle|docteur|bwana|bibi", "|")
TITLE_CUES = _words("Mme Mlle Mr Mrs Ms Dr Pr Bi Bw M")
# Capitalised words that follow "I am" or a title without being a name: nationalities, faiths, offices.
NOT_NAMES = frozenset("""
    sénégalais sénégalaise malien malienne marocain marocaine kenyan kenyian français française africain africaine
    senegalese malian moroccan french african muslim christian musulman musulmane chrétien chrétienne mkenya
    le la les l the a an un une président presidente president ministre minister maire mayor préfet prefect
    gouverneur governor directeur directrice director chef chief commissaire commissioner député deputy juge judge
    recteur doyen imam pasteur pastor waziri gavana mkuu rais
""".split())
# "Dr" and friends inside an institution's name: "hôpital Dr Aristide Le Dantec", "centre de santé Dr Diop".
INSTITUTION_BEFORE = re.compile(
    r"(?i:h[ôo]pital|hospital|hospitali|centre(?:\s+de\s+santé)?|center|centre|poste\s+de\s+santé|clinique|clinic|"
    r"dispensaire|dispensary|maternité|zahanati|école|ecole|lycée|collège|université|school|college|university|"
    r"shule|stade|stadium|institut|institute|fondation|foundation|mosquée|mosque|église|church|"
    r"مستشفى|مدرسة|مركز|مستوصف|ثانوية|جامعة)\s*$")

ARABIC_WORD = r"[\u0621-\u064A\u0640\u064B-\u065F\u0671-\u06D3]+"
# A first name and a family name, with "بن/ولد/بنت" (son/daughter of) between them when given.
ARABIC_NAME = rf"{ARABIC_WORD}(?:\s+(?:(?:بن|ابن|ولد|بنت)\s+)?{ARABIC_WORD})?"
# "اسمي" (my name is), "السيد/السيدة" (Mr/Mrs), "أنا" (I am: only before a known first name, as it also introduces
# "أنا مريض", I am ill).
ARABIC_LEAD = re.compile(rf"(?P<lead>\bو?(?:اسمي|إسمي|السيدة|السيد|الأستاذة|الأستاذ|الدكتورة|الدكتور)\s+)"
                         rf"(?P<name>{ARABIC_NAME})")
ARABIC_I_AM = re.compile(rf"(?P<lead>\bو?(?:أنا|انا)\s+)(?P<name>{ARABIC_NAME})")
ARABIC_NAME_CUES = ("اسمي", "إسمي", "السيد", "الأستاذ", "الدكتور", "أنا", "انا")
# Common first names in Morocco, Mauritania, Mali and Senegal, written in Arabic script.
ARABIC_FIRST_NAMES = frozenset("""
    محمد أحمد احمد محمود مصطفى عبد عبدالله عبدالرحمن عبدالقادر عبدالعزيز يوسف إبراهيم ابراهيم إسماعيل اسماعيل علي
    عمر عثمان حسن حسين خالد سعيد رشيد كريم هشام ياسين أيوب أمين امين طارق نبيل مراد عادل سمير جمال عزيز إدريس ادريس
    بوبكر مامادو موسى عيسى سليمان آدم فاطمة فاطمه خديجة عائشة عائشه مريم زينب أمينة امينة نادية ناديه سعاد حليمة
    سلمى ليلى حنان كوثر إيمان ايمان أسماء اسماء هند نجاة رقية مليكة سناء وفاء سميرة
""".split())
# Words that end an Arabic name: prepositions, conjunctions, verbs of residence and complaint, "number".
ARABIC_STOPS = frozenset("""
    من في على إلى الى عن مع و أو او ثم لكن هذا هذه ذلك التي الذي أنا انا وأنا وانا أسكن اسكن أعيش اعيش ساكن ساكنة
    مواطن مواطنة أريد اريد أطلب اطلب يطلب تطلب أشتكي اشتكي يشتكي تشتكي يسكن تسكن يعيش تعيش
    لدي عندي رقم هاتفي بحي بشارع قرب بجانب منذ حيث لأن لان قد لا لم لن
""".split())

# --- Addresses -------------------------------------------------------------------------------------------------------
HOUSE_NUMBER = r"(?<!\d)\d{1,4}(?:\s?(?:bis|ter|[A-Ca-c]))?\b,?\s+"
STREET_NUMBER = r"\d{1,4}(?:\s*[xX×]\s*\d{1,4})?\b"  # "Rue 10 x 15", Dakar's numbered streets
FRENCH_CONNECTOR = r"(?:(?:de|du|des|la|le|les|ya|wa)\s+|[dl]['’])"
STREET_NAME = rf"(?:{STREET_NUMBER}|{FRENCH_CONNECTOR}*{CAPITALISED}(?:\s+{FRENCH_CONNECTOR}*{CAPITALISED}){{0,4}})"
# Street words that go with the street's name; roads (route, chemin, road, barabara) lead to a town they are named
# after and go only with a house number.
STREET_WORD = r"(?i:rue|avenue|boulevard|bd|allée|impasse|ruelle|mtaa)"
ROAD_WORD = r"(?i:route|chemin|barabara)"
ENGLISH_STREET = r"(?:Avenue|Street|Lane|Drive|Close|Crescent|Boulevard)"
ENGLISH_ROAD = r"(?:Road|Rd|Highway)"
ADDRESS = re.compile(
    rf"(?:{HOUSE_NUMBER})?\b{STREET_WORD}\s+{STREET_NAME}"
    rf"|{HOUSE_NUMBER}{ROAD_WORD}\s+{STREET_NAME}"
    rf"|(?:{HOUSE_NUMBER})?\b(?P<english>{CAPITALISED}(?:\s+{CAPITALISED}){{0,2}})\s+{ENGLISH_STREET}\b"
    rf"|{HOUSE_NUMBER}{CAPITALISED}(?:\s+{CAPITALISED}){{0,2}}\s+{ENGLISH_ROAD}\b")
STREET_CUES = _words("rue avenue boulevard bd allée impasse ruelle mtaa route chemin barabara street lane drive close "
                     "crescent road rd highway")
ARABIC_DIGITS = r"[0-9٠-٩]+"
ARABIC_STREET_CUES = ("شارع", "زنقة", "درب", "حي", "ممر", "ساحة")
ARABIC_ADDRESS = re.compile(rf"\b(?:شارع|زنقة|درب|حي|ممر|ساحة)\s+"
                            rf"(?P<street>{ARABIC_DIGITS}|{ARABIC_WORD}(?:\s+{ARABIC_WORD}){{0,2}})")
# The house number after a redacted street: "[address] رقم 12", "[address], n° 12".
NUMBER_AFTER_ADDRESS = re.compile(rf"{re.escape(ADDRESS_MARK)}\s*[،,]?\s*(?:رقم|n°|no|No|N°)\.?\s*{ARABIC_DIGITS}\b")
# Words that start an English sentence or phrase and are capitalised without being part of a street's name.
NOT_STREET_NAMES = frozenset("the on at in along near of from to by and or my our a an i we it this that".split())


def redact(text: str, regions: Iterable[str] = DEFAULT_REGIONS) -> str:
    """Replace e-mail addresses, IBANs, identity numbers, phone numbers, street addresses and names with marks.

    Idempotent: redacting redacted text changes nothing, so text redacted with older rules can be redacted again.
    A pattern runs only when one of its cue words occurs in the text (a substring test, many times faster than the
    pattern): most texts name no street and nobody.
    """
    words = _as_words(text)
    folded = words.lower()
    if "@" in text:
        text = EMAIL.sub(EMAIL_MARK, text)
    text = IBAN.sub(_iban, text)
    text = KRA_PIN.sub(ID_MARK, text)
    if _mentions(folded, ID_CUES):
        text = ID_AFTER_KEYWORD.sub(lambda m: m.group("keyword") + ID_MARK, text)
    if _mentions(folded, STREET_CUES):
        text = ADDRESS.sub(_address, text)
    if _mentions(folded, ARABIC_STREET_CUES):
        text = ARABIC_ADDRESS.sub(_arabic_address, text)
    if ADDRESS_MARK in text:
        text = NUMBER_AFTER_ADDRESS.sub(ADDRESS_MARK, text)
    text = _redact_phones(text, tuple(regions))
    text = ID_NUMBER.sub(ID_MARK, text)
    if _mentions(folded, NAME_CUES) or _mentions(words, TITLE_CUES):
        text = LATIN_NAME_AFTER.sub(_latin_name, text)
    if _mentions(folded, ARABIC_NAME_CUES):
        text = ARABIC_LEAD.sub(_arabic_name, text)
        text = ARABIC_I_AM.sub(_arabic_name_after_i_am, text)
    return text


def _mentions(text: str, cues: tuple[str, ...]) -> bool:
    return any(cue in text for cue in cues)


def contains_personal_data(text: str, regions: Iterable[str] = DEFAULT_REGIONS) -> bool:
    return redact(text, regions) != text


def is_iban(candidate: str) -> bool:
    """An IBAN of a known length for its country, or any country's with a valid ISO 13616 check (mod 97)."""
    compact = candidate.replace(" ", "").upper()
    if not (15 <= len(compact) <= 34 and compact[:2].isalpha() and compact[2:4].isdigit()):
        return False
    if IBAN_LENGTHS.get(compact[:2]) == len(compact):
        return True
    digits = "".join(str(int(ch, 36)) for ch in compact[4:] + compact[:4])
    return int(digits) % 97 == 1


def _iban(match: re.Match[str]) -> str:
    """The match may run into a following word ("... 606 SVP"): the longest prefix that is an IBAN goes."""
    found = match.group()
    for end in sorted({m.end() for m in re.finditer(r"[A-Z0-9]+", found, re.IGNORECASE)}, reverse=True):
        if is_iban(found[:end]):
            return IBAN_MARK + found[end:]
    return found


def _address(match: re.Match[str]) -> str:
    english = match.group("english")
    if english is not None:
        words = english.split()
        kept = []
        while words and words[0].lower() in NOT_STREET_NAMES:  # "The Moi Avenue": "The" stays
            kept.append(words.pop(0))
        if not words:
            return match.group()
        if kept:
            return " ".join(kept) + " " + ADDRESS_MARK
    return ADDRESS_MARK


def _arabic_address(match: re.Match[str]) -> str:
    street = match.group("street")
    if street[0].isdigit():
        return ADDRESS_MARK
    words = street.split()
    taken = _until_stop(words)
    if not taken:
        return match.group()
    return " ".join([ADDRESS_MARK, *words[len(taken):]])


def _latin_name(match: re.Match[str]) -> str:
    lead, name = match.group("lead"), match.group("name")
    first = name.split()[0]
    if first.lower().strip("'’") in NOT_NAMES or match.group("being") and len(first) > 1 and first.isupper():
        return match.group()
    if INSTITUTION_BEFORE.search(match.string[max(0, match.start() - 40):match.start()]):
        return match.group()
    return lead + NAME_MARK


def _arabic_name(match: re.Match[str]) -> str:
    words = _until_stop(match.group("name").split())
    if not words:
        return match.group()
    rest = match.group("name")[len(" ".join(words)):]
    return match.group("lead") + NAME_MARK + rest


def _arabic_name_after_i_am(match: re.Match[str]) -> str:
    first = match.group("name").split()[0]
    if first not in ARABIC_FIRST_NAMES and not first.startswith("عبد"):
        return match.group()
    return _arabic_name(match)


def _until_stop(words: list[str]) -> list[str]:
    """The leading words before the first common word (a preposition, "and", a verb of residence)."""
    taken = []
    for word in words:
        if word in ARABIC_STOPS or word.startswith("و") and word[1:] in ARABIC_STOPS:
            break
        taken.append(word)
    return taken


def _redact_phones(text: str, regions: tuple[str, ...]) -> str:
    spans: list[tuple[int, int]] = []
    for region in regions:
        for match in phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.POSSIBLE):
            spans.append((match.start, match.end))
    for match in PHONE_CANDIDATE.finditer(text):
        if sum(ch.isdigit() for ch in match.group()) >= 8:
            spans.append(match.span())
    for start, end in sorted(_merge(spans), reverse=True):
        text = text[:start] + PHONE_MARK + text[end:]
    return text


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged
