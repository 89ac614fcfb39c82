"""Languages a broker works in: stored and exchanged as ISO 639-1 codes, picked and shown by name.

The form offers the languages most spoken in Kent and Medway (2021 census, main languages other than English, with
English first); the API accepts any ISO 639-1 code, and refuses anything else. British Sign Language has no
ISO 639-1 code, so it cannot be offered until the contract says how to write it.
"""

from __future__ import annotations

# The languages the profile form offers, in the order people look for them.
KENT_AND_MEDWAY_LANGUAGES: list[tuple[str, str]] = [
    ("en", "English"),
    ("pl", "Polish"),
    ("ne", "Nepali"),
    ("pa", "Punjabi"),
    ("ro", "Romanian"),
    ("lt", "Lithuanian"),
    ("bg", "Bulgarian"),
    ("tr", "Turkish"),
    ("ur", "Urdu"),
    ("bn", "Bengali"),
    ("gu", "Gujarati"),
    ("ar", "Arabic"),
    ("pt", "Portuguese"),
    ("es", "Spanish"),
    ("fr", "French"),
    ("zh", "Chinese"),
    ("ta", "Tamil"),
    ("ru", "Russian"),
    ("ku", "Kurdish"),
    ("sk", "Slovak"),
    ("hu", "Hungarian"),
    ("lv", "Latvian"),
    ("it", "Italian"),
    ("sq", "Albanian"),
    ("fa", "Persian (Farsi)"),
    ("ps", "Pashto"),
    ("ti", "Tigrinya"),
    ("uk", "Ukrainian"),
    ("cy", "Welsh"),
]

# Every ISO 639-1 code (ISO 639-2 Registration Authority), so that `?language=zz` is refused, not an empty list.
ISO_639_1 = frozenset(
    " ".join(
        [
            "aa ab ae af ak am an ar as av ay az ba be bg bi bm bn bo br ",
            "bs ca ce ch co cr cs cu cv cy da de dv dz ee el en eo es et ",
            "eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht ",
            "hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk ",
            "kl km kn ko kr ks ku kv kw ky la lb lg li ln lo lt lu lv mg ",
            "mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny ",
            "oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se ",
            "sg si sk sl sm sn so sq sr ss st su sv sw ta te tg th ti tk ",
            "tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo ",
            "za zh zu ",
        ]
    ).split()
)

LANGUAGE_NAMES = dict(KENT_AND_MEDWAY_LANGUAGES)


def language_name(code: str) -> str:
    """The language's English name, or its code when it is not one the form offers."""
    return LANGUAGE_NAMES.get(code, code)


def is_language_code(code: str) -> bool:
    return code in ISO_639_1
