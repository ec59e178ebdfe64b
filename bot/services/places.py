"""The places Turnout knows: two-letter codes, names and default time zones.

A state spanning zones defaults to the zone where most of its people live; a channel
binding can override it (`/turnout state TX #el-paso America/Denver`). `US` is the
national program (virtual phone and text banks), kept on Eastern time.
"""

from __future__ import annotations

from typing import NamedTuple


class Place(NamedTuple):
    name: str
    timezone: str


PLACES: dict[str, Place] = {
    "AL": Place("Alabama", "America/Chicago"),
    "AK": Place("Alaska", "America/Anchorage"),
    "AZ": Place("Arizona", "America/Phoenix"),
    "AR": Place("Arkansas", "America/Chicago"),
    "CA": Place("California", "America/Los_Angeles"),
    "CO": Place("Colorado", "America/Denver"),
    "CT": Place("Connecticut", "America/New_York"),
    "DE": Place("Delaware", "America/New_York"),
    "DC": Place("District of Columbia", "America/New_York"),
    "FL": Place("Florida", "America/New_York"),
    "GA": Place("Georgia", "America/New_York"),
    "HI": Place("Hawaii", "Pacific/Honolulu"),
    "ID": Place("Idaho", "America/Boise"),
    "IL": Place("Illinois", "America/Chicago"),
    "IN": Place("Indiana", "America/Indiana/Indianapolis"),
    "IA": Place("Iowa", "America/Chicago"),
    "KS": Place("Kansas", "America/Chicago"),
    "KY": Place("Kentucky", "America/New_York"),
    "LA": Place("Louisiana", "America/Chicago"),
    "ME": Place("Maine", "America/New_York"),
    "MD": Place("Maryland", "America/New_York"),
    "MA": Place("Massachusetts", "America/New_York"),
    "MI": Place("Michigan", "America/Detroit"),
    "MN": Place("Minnesota", "America/Chicago"),
    "MS": Place("Mississippi", "America/Chicago"),
    "MO": Place("Missouri", "America/Chicago"),
    "MT": Place("Montana", "America/Denver"),
    "NE": Place("Nebraska", "America/Chicago"),
    "NV": Place("Nevada", "America/Los_Angeles"),
    "NH": Place("New Hampshire", "America/New_York"),
    "NJ": Place("New Jersey", "America/New_York"),
    "NM": Place("New Mexico", "America/Denver"),
    "NY": Place("New York", "America/New_York"),
    "NC": Place("North Carolina", "America/New_York"),
    "ND": Place("North Dakota", "America/Chicago"),
    "OH": Place("Ohio", "America/New_York"),
    "OK": Place("Oklahoma", "America/Chicago"),
    "OR": Place("Oregon", "America/Los_Angeles"),
    "PA": Place("Pennsylvania", "America/New_York"),
    "RI": Place("Rhode Island", "America/New_York"),
    "SC": Place("South Carolina", "America/New_York"),
    "SD": Place("South Dakota", "America/Chicago"),
    "TN": Place("Tennessee", "America/Chicago"),
    "TX": Place("Texas", "America/Chicago"),
    "UT": Place("Utah", "America/Denver"),
    "VT": Place("Vermont", "America/New_York"),
    "VA": Place("Virginia", "America/New_York"),
    "WA": Place("Washington", "America/Los_Angeles"),
    "WV": Place("West Virginia", "America/New_York"),
    "WI": Place("Wisconsin", "America/Chicago"),
    "WY": Place("Wyoming", "America/Denver"),
    "PR": Place("Puerto Rico", "America/Puerto_Rico"),
    "VI": Place("U.S. Virgin Islands", "America/St_Thomas"),
    "GU": Place("Guam", "Pacific/Guam"),
    "AS": Place("American Samoa", "Pacific/Pago_Pago"),
    "MP": Place("Northern Mariana Islands", "Pacific/Saipan"),
    "US": Place("National", "America/New_York"),
}


NATIONAL_TZ = PLACES["US"].timezone


def article(code: str) -> str:
    """`a` or `an` before a state code as it is read aloud: "an NH", "an IA", "a TX"."""
    return "an" if code[:1].upper() in VOWEL_SOUND_LETTERS else "a"


# Letters whose names start with a vowel sound ("eff", "aitch", "em", "ess", …).
VOWEL_SOUND_LETTERS = frozenset("AEFHILMNORSX")
