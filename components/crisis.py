"""Detection of messages from a person in danger (pure functions, no Rasa imports).

:func:`detect_crisis` returns the kinds of danger a message speaks of, most urgent first:

- ``acute_danger``: danger to life right now (a weapon, fire, someone not breathing, "hij wil me
  vermoorden") -> the emergency number;
- ``suicide``: thoughts of suicide or self-harm, of the resident or of someone they worry about
  -> the suicide prevention line (and the emergency number in direct danger);
- ``domestic_violence``: violence, threats or abuse at home, of a partner, child or elder
  -> Veilig Thuis (and the emergency number). The numbers: content/national/safety_lines.yml.

Detection is deliberately broad: a missed message hurts far more than a false alarm (the answer to a
false alarm is a kind line with phone numbers, and the conversation simply goes on). It reads what
residents actually type: no accents, WhatsApp spelling ("k wil nie meer leve", "zelfmord"), NT2
phrasing ("ik wil mij dood maken") and indirect phrasing ("iedereen is beter af zonder mij"). A few
everyday phrases that share words ("de boom moet dood", "mijn abonnement beëindigen", "ik ga dood
van de hitte") are excluded. The test set with recall and false-alarm rate is
``tests/components/crisis_cases.yml``.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

ACUTE_DANGER = "acute_danger"
SUICIDE = "suicide"
DOMESTIC_VIOLENCE = "domestic_violence"
#: All kinds, most urgent first (the order of the answer).
KINDS: tuple[str, ...] = (ACUTE_DANGER, SUICIDE, DOMESTIC_VIOLENCE)

# Words that stand for "ik"/"mij"/"mijn" in typed Dutch (WhatsApp register, NT2).
_I = r"(?:ik|k|ikke|i)"
_ME = r"(?:me|mij|mezelf|mijzelf|m[ie]j? ?zelf|mn ?zelf|mijn ?zelf)"
_MY = r"(?:mijn|m'?n|me|mn)"
_FAMILY = (
    r"(?:man|vrouw|vriend|vriendin|partner|echtgeno\w+|ex|vader|moeder|pa|ma|stiefvader|stiefmoeder|"
    r"zoon|dochter|broer|zus|oom|tante|opa|oma|schoonvader|schoonmoeder|schoonzoon|vriendje|"
    r"huisgenoot|kamergenoot)"
)
_PERSON = (
    rf"(?:ik|k|hij|zij|ze|iemand|(?:mijn|m'?n|mn|me|de|het|een|haar|zijn) (?:{_FAMILY}|kind\w*|buur\w*|"
    rf"baby|meisje|jongen|kinderen|oude\w* \w+))"
)
_HIT = (
    r"(?:slaat|sloeg|slaan|schopt|schopte|schoppen|stompt|duwt|wurgt|wurgde|knijpt|mishandelt|"
    r"mishandelde|bedreigt|bedreigde|bedreigen|dreigt|dreigde|misbruikt|verkracht|verkrachtte|"
    r"pijn doet|pijn deed|sluit\b.{0,10}\bop|sloot\b.{0,10}\bop)"
)
_VICTIM = (
    r"(?:me|mij|ons|haar|hem|(?:mijn|mn|m'n|onze|zijn|haar|de|het) (?:kind\w*|moeder|vader|vrouw|man|"
    r"zoon|dochter|oma|opa|partner|vriendin|vriend))"
)

#: Everyday phrases that share words with the patterns; a clause matching one is not a signal.
_HARMLESS = [
    r"dood van (?:de |het )?(?:lachen|hitte|warmte|kou|honger|dorst|verveling|schaamte|schrik|stress)",
    r"\b(?:boom|bomen|plant\w*|struik\w*|heg|haag|gras|onkruid|wortel\w*|tak\w*|stam)\b.{0,30}\bdood\b",
    r"\bdood\b.{0,20}\b(?:boom|bomen|plant\w*|struik\w*|heg|haag|gras|onkruid|dier\w*|kat|hond|vogel\w*|"
    r"rat\w*|muis|muizen|duif|duiven|egel|vos|konijn\w*|meeuw\w*)\b",
    r"\b(?:de |een )?(?:klok|wind|deur)\b.{0,15}\bslaat\b",
    r"\bslaat\b.{0,15}\b(?:de deur|deuren|alarm|op hol|nergens op|aan|over)\b",
    r"\bniet meer verder met (?:de|deze|het|dit|die|uw|jullie) \w+",
]

_PATTERNS: dict[str, list[str]] = {
    ACUTE_DANGER: [
        rf"\b(?:hij|zij|ze|iemand|er is iemand|mijn \w+|m'?n \w+)\b.{{0,25}}\b(?:wil|gaat|dreigt)\b.{{0,10}}"
        rf"\b(?:{_ME}|ons|haar|hem)\b.{{0,10}}\b(?:vermoorden|doden|dood ?maken|doodsteken|neersteken|"
        rf"neerschieten|afmaken|dood te maken|te vermoorden|te doden|neer te steken)\b",
        r"\b(?:er )?(?:wordt|werd) (?:er )?(?:geschoten|gestoken)\b",
        r"\b(?:vermoordt|vermoorden|doodsteken|neersteken|neerschieten)\b.{0,10}\b(?:me|mij|ons)\b",
        r"\b(?:heeft|met|staat met|zwaait met|trekt)\b.{0,10}\b(?:een |het |zijn |haar )?"
        r"(?:mes|messen|pistool|vuurwapen|geweer|wapen)\b",
        r"\b(?:er is|het is|staat in|in de|er woedt|er is een) ?(?:brand|fik)\b(?!\w)",
        r"\b(?:mijn|ons|het) (?:huis|keuken|flat|woning|auto|schuur)\b.{0,15}"
        r"\b(?:staat in (?:de )?brand|in de fik)",
        r"\bbrand\b.{0,20}\b(?:in (?:mijn|ons|het) (?:huis|flat|woning|keuken|trappenhuis|portiek))\b",
        r"\b(?:ademt niet|ademt niet meer|niet meer ademen|geen adem|bewusteloos|buiten bewustzijn|"
        r"reageert niet meer|hartaanval|hartstilstand|reanim\w*|overdosis genomen)\b",
        rf"\b{_I} krijg geen (?:lucht|adem)\b",
        r"\b(?:bloedt|bloed)\b.{0,15}\b(?:heel erg|erg veel|veel|stopt niet)\b",
        r"\b(?:inbreker\w*|indringer\w*|er is iemand (?:in|binnen in) (?:mijn|ons|het) huis|"
        r"iemand breekt in)\b",
        rf"\b{_I} (?:word|wordt|ben) (?:achtervolgd|ontvoerd|gegijzeld)\b",
        r"\b(?:steekpartij|schietpartij|neergestoken|neergeschoten|gestoken met)\b",
        # English
        r"\b(?:kill (?:me|us)|has a (?:knife|gun)|is not breathing|house is on fire|call the police)\b",
    ],
    SUICIDE: [
        r"\b(?:zelf ?moord\w*|zelfmord\w*|zelmoord\w*|zelfmoort\w*|selfmoord\w*|zelfdoding\w*|"
        r"suici\w*|su[iy]cid\w*|suizid\w*|zelfbeschadig\w*|zelf ?verwond\w*)\b",
        r"\ber (?:een |n )?(?:eind|einde|end) (?:aan )?(?:te )?"
        r"(?:maken|maak|make|mak|aan maken|aan te maken)\b",
        r"\ber (?:een |n )?(?:eind|einde) aan (?:maken|maak|te maken|wil maken)",
        rf"\b(?:eind|einde|end)\w* aan (?:{_MY} |het |dit )?(?:leven|leve|bestaan|alles)\b",
        rf"\b{_MY} (?:leven|leve|bestaan)\b.{{0,15}}\b(?:beeindig\w*|beindig\w*|stoppen|nemen|afmaken|"
        rf"beeindigd|stop zetten|ophouden)\b",
        rf"\b(?:{_ME}|mijn leven)\b.{{0,10}}\b(?:van het leven beroven|van kant maken|iets aandoen|"
        rf"wat aandoen|"
        rf"aan doen|ophangen|opknopen|doden|vermoorden|dood ?maken|dood ?doen|snijden|verdrinken|"
        rf"vergiftigen|pijn doen|doodrijden)\b",
        rf"\b(?:{_I}|hij|zij|ze|mijn \w+|m'?n \w+)\b.{{0,25}}\b(?:wil|wilt|will|wou|ga|gaat|zou|zal|denk|"
        rf"denkt)\b.{{0,20}}\b(?:dood|sterven|doodgaan|dood gaan)\b",
        rf"\b(?:{_I}|hij|zij|ze|{_MY} \w+)\b.{{0,15}}\b(?:wil|wilt|wou|hoef|hoeft)\b.{{0,10}}"
        rf"\b(?:niet|nie|niks) meer\b"
        r".{0,15}\b(?:leven|leve|bestaan|zijn|verder|wakker worden|wakker)\b",
        rf"\b(?:{_I}|hij|zij|ze)\b.{{0,15}}\b(?:wil|wilt|wou)\b.{{0,5}}\ber\b.{{0,5}}\b(?:niet|nie) meer\b"
        r".{0,5}\b(?:zijn|wezen)\b",
        r"\b(?:zie|ziet)\b.{0,10}\b(?:het|t|'t|mijn leven|het leven)\b.{0,5}\b(?:echt |helemaal )?"
        r"(?:niet|nie) "
        r"meer (?:zitten|zien zitten)\b",
        r"\b(?:geen|niet) (?:uitweg|reden om te leven|zin (?:meer )?(?:in|om te) (?:leven|het leven))\b",
        r"\b(?:het )?leven heeft (?:voor mij )?geen zin\b",
        rf"\b(?:iedereen|jullie|mijn familie|mijn kinderen|de wereld)\b.{{0,15}}\bbeter af zonder {_ME}\b",
        rf"\bbeter (?:als|dat) {_I} er (?:niet|nie) (?:meer )?(?:ben|was|zou zijn)\b",
        r"\b(?:voor|onder) (?:de|een) (?:trein|metro|auto|vrachtwagen)\b.{0,20}\b(?:springen|spring|gooien|"
        r"gooi|liggen|lopen)\b",
        r"\b(?:springen|spring)\b.{0,20}\b(?:van (?:de|het|een) (?:brug|dak|flat|balkon)|voor de trein)\b",
        r"\bvan (?:de|het|een|mijn) (?:brug|dak|flat|balkon)\b.{0,10}\b(?:springen|spring|afspringen)\b",
        rf"\b(?:snij|snijd|snijdt|sneed|kras|krast)\b.{{0,5}}\b(?:in )?{_ME}\b",
        rf"\b(?:alle|al {_MY}|een hele doos|een heleboel|al die)\b.{{0,10}}\b(?:pillen|pilletjes|medicijnen|"
        rf"slaappillen|tabletten)\b.{{0,15}}\b(?:innemen|slikken|nemen|ingenomen|geslikt)\b",
        r"\boverdosis\b",
        r"\b(?:pillen|medicijnen|tabletten|slaappillen)\b.{0,15}\b(?:gespaard|verzameld|opgespaard)\b",
        r"\bbeter dood\b",
        r"\bpunt (?:er )?achter zetten\b.{0,15}\b(?:voorgoed|voor altijd|mijn leven)\b",
        r"\b(?:het |mijn )?leven (?:zat|moe|beu)\b|\blevensmoe\w*",
        r"\bnooit meer wakker\b",
        r"\bweg uit (?:dit|het|mijn|me) leven\b",
        rf"^(?:{_I}|hij|zij|ze) (?:wil|kan) (?:echt |gewoon |het |ook )?(?:niet|nie) meer$",
        r"\b(?:afscheidsbrief|afscheidsbriefje)\b",
        # English
        r"\b(?:kill (?:my ?self|himself|herself)|want to die|wanna die|end (?:my|it) (?:life|all)|"
        r"end it all|self ?harm)\b",
    ],
    DOMESTIC_VIOLENCE: [
        r"\b(?:huiselijk\w* geweld|kindermishandel\w*|ouderenmishandel\w*|partnergeweld|eergerelateerd\w*|"
        r"loverboy\w*|seksueel (?:misbruik\w*|geweld)|incest|uithuwelijk\w*|gedwongen huwelijk)\b",
        r"\b(?:mishandel\w*|verkracht\w*|aangerand\w*|aanranding)\b",
        rf"\b(?:{_PERSON}|{_FAMILY})\b.{{0,25}}\b{_HIT}\b.{{0,15}}\b{_VICTIM}\b",
        rf"\b{_HIT}\b.{{0,5}}\b(?:{_VICTIM})\b",
        rf"\b(?:sluit|sloot|doet|deed) {_VICTIM} (?:op|pijn)\b",
        rf"\b(?:heeft|had|hebben|hadden)\b.{{0,15}}\b{_VICTIM}\b.{{0,10}}\b(?:geslagen|geschopt|mishandeld|"
        rf"bedreigd|misbruikt|verkracht|gewurgd|opgesloten|pijn gedaan)\b",
        r"\bthuis\b.{0,15}\b(?:geslagen|mishandeld|geschopt)\b|\b(?:geslagen|mishandeld)\b.{0,10}\bthuis\b",
        rf"\b(?:{_I} (?:ben|voel me) )?(?:thuis niet (?:meer )?veilig|niet (?:meer )?veilig thuis)\b",
        rf"\b{_PERSON}\b.{{0,15}}\b(?:word|wordt|werd|worden|werden|ben|is|zijn)\b.{{0,20}}\b(?:geslagen|"
        rf"geschopt|mishandeld|misbruikt|bedreigd|aangerand|verkracht|opgesloten|gewurgd|uitgebuit)\b",
        rf"\b{_I} (?:ben|voel me) (?:zo |heel |erg )?bang (?:voor|van) {_MY} {_FAMILY}\b",
        rf"\b{_I} (?:durf|durft)\b.{{0,10}}\b(?:niet|nie)\b.{{0,10}}\b(?:meer )?(?:naar huis|thuis te komen|"
        rf"naar binnen)\b",
        rf"\b{_MY} {_FAMILY}\b.{{0,25}}\b(?:is|wordt|doet) (?:heel |erg |zo )?(?:gewelddadig|agressief)\b",
        r"\bgeweld\b.{0,20}\b(?:thuis|in huis|bij ons|in ons gezin|in het gezin|in mijn relatie)\b",
        rf"\b{_MY} (?:ex|{_FAMILY})\b.{{0,15}}\b(?:stalkt|achtervolgt|volgt {_ME} overal)\b",
        rf"\b(?:niet|geen) veilig (?:thuis|in huis|bij {_MY} {_FAMILY})\b",
        r"\b(?:veilig thuis)\b",
        # English
        r"\b(?:domestic (?:violence|abuse)|(?:hits|beats|abuses|threatens) me|child abuse)\b",
    ],
}

_REPEATS = re.compile(r"([a-z])\1{2,}")
_NON_WORD = re.compile(r"[^a-z0-9' \n]+")


def normalise(text: str) -> str:
    """Lower-case, drop accents, collapse repeated letters ("dooood" -> "dood") and punctuation.

    Args:
        text: The resident's message.

    Returns:
        Plain lower-case ASCII words separated by single spaces; sentence ends become newlines.
    """
    decomposed = unicodedata.normalize("NFKD", text.lower().replace("’", "'"))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    plain = re.sub(r"[.!?;]+", "\n", plain)
    plain = _NON_WORD.sub(" ", _REPEATS.sub(r"\1\1", plain))
    return "\n".join(" ".join(line.split()) for line in plain.split("\n"))


@lru_cache(maxsize=1)
def _compiled() -> tuple[re.Pattern[str], dict[str, tuple[re.Pattern[str], ...]]]:
    harmless = re.compile("|".join(f"(?:{p})" for p in _HARMLESS))
    kinds = {kind: tuple(re.compile(p) for p in patterns) for kind, patterns in _PATTERNS.items()}
    return harmless, kinds


def detect_crisis(text: str | None) -> list[str]:
    """Return the kinds of danger a message speaks of (most urgent first), or an empty list.

    Args:
        text: The resident's message, as typed.

    Returns:
        A sub-list of :data:`KINDS`.
    """
    if not text:
        return []
    harmless, kinds = _compiled()
    found: set[str] = set()
    for clause in normalise(text[:2000]).split("\n"):
        cleaned = harmless.sub(" ", clause)
        for kind, patterns in kinds.items():
            if kind not in found and any(p.search(cleaned) for p in patterns):
                found.add(kind)
    return [kind for kind in KINDS if kind in found]
