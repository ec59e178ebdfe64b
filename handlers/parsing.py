"""Reading what people type. Pure functions: no database, no Slack.

Slack escapes `&`, `<` and `>` in command text and wraps mentions and links in `<…>`
(`<@U0123|ana>`, `<#C0123|iowa>`, `<https://…|label>`); people also type `@ana` and
`#iowa`. Everything here accepts both and raises `UsageError` with the right form.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, time

from bot.i18n import N_, SPANISH
from bot.models import Metric, ShiftKind
from bot.services.editing import MAX_REPEAT, Repeat, ShiftChanges
from bot.services.errors import UsageError
from bot.services.places import PLACES
from bot.services.shifts import MAX_CAPACITY, MAX_LOCATION, MAX_NOTES, ListingQuery
from bot.vocabulary import ALL_METRICS, DAY_WORDS, METRIC_WORDS, fold

CHANNEL_MENTION = re.compile(r"^<#([CG][A-Z0-9]+)(?:\|([^>]*))?>$")
USER_MENTION = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|([^>]*))?>$")
TYPED_CHANNEL = re.compile(r"^#([a-z0-9][a-z0-9_\-]{0,79})$")
TYPED_USER = re.compile(r"^@([\w.\-]{1,80})$")
SHIFT_ID = re.compile(r"^#?(\d+)$")
# Ids and counts are stored as 32-bit integers; a bigger number names nothing.
MAX_STORED_INT = 2**31 - 1
TIME_RANGE = re.compile(r"^(\d{1,2}):(\d{2})\s*[-–]\s*(\d{1,2}):(\d{2})$")
ANY_SLACK_MARKUP = re.compile(r"<([^<>]*)>")

KIND_WORDS: dict[str, ShiftKind] = {
    "canvass": ShiftKind.CANVASS,
    "canvassing": ShiftKind.CANVASS,
    "canvas": ShiftKind.CANVASS,
    "doors": ShiftKind.CANVASS,
    "phonebank": ShiftKind.PHONEBANK,
    "phonebanking": ShiftKind.PHONEBANK,
    "phones": ShiftKind.PHONEBANK,
    "phone": ShiftKind.PHONEBANK,
    "textbank": ShiftKind.TEXTBANK,
    "textbanking": ShiftKind.TEXTBANK,
    "texting": ShiftKind.TEXTBANK,
    "event": ShiftKind.EVENT,
    "events": ShiftKind.EVENT,
    "training": ShiftKind.TRAINING,
    "trainings": ShiftKind.TRAINING,
}


@dataclass(frozen=True)
class ChannelRef:
    """A channel as typed: an id when Slack escaped it, else a name to look up."""

    id: str | None
    name: str | None


@dataclass(frozen=True)
class UserRef:
    id: str | None
    name: str | None


def tokens(text: str) -> list[str]:
    return text.split()


def slack_to_plain(text: str) -> str:
    """Command text as the person meant it: mentions and links unwrapped, entities undone,
    control characters dropped."""

    def unwrap(match: re.Match[str]) -> str:
        inner = match.group(1)
        target, _, label = inner.partition("|")
        if target.startswith("@"):
            return "@" + (label or target[1:])
        if target.startswith("#"):
            return "#" + (label or target[1:])
        if target.startswith("!"):
            return "@" + (label or target[1:].split("^")[0])
        return target  # a link: keep the address itself

    plain = html.unescape(ANY_SLACK_MARKUP.sub(unwrap, text))
    return "".join(ch for ch in plain if ch in "\n\t" or unicodedata.category(ch)[0] != "C").strip()


def _state_key(name: str) -> str:
    return " ".join(fold(name).replace(".", "").split())


# State names as people type them, in English or Spanish ("new hampshire", "iowa",
# "nueva york"); `national` (`nacional`) for US.
STATE_NAMES: dict[str, str] = {
    _state_key(name): code for code, place in PLACES.items() for name in (place.name, SPANISH._(place.name))
}
LONGEST_NAME = max(len(name.split()) for name in STATE_NAMES)


def parse_state(text: str) -> str | None:
    """A state by its two-letter code or its name, in any case (`IA`, `iowa`, `New Hampshire`,
    `Nueva York`)."""
    code = text.strip().upper()
    if len(code) == 2 and code in PLACES:
        return code
    return STATE_NAMES.get(_state_key(text))


def take_state(words: list[str]) -> tuple[str | None, int]:
    """The state named by the first words (a code, or a name of one to three words) and how many
    words it took; (None, 0) when they name none. Longest name first: `west virginia`, not `west`."""
    for size in range(min(LONGEST_NAME, len(words)), 0, -1):
        if (code := parse_state(" ".join(words[:size]))) is not None:
            return code, size
    return None, 0


def require_state(token: str, usage: str) -> str:
    code = parse_state(token)
    if code is None:
        raise UsageError(
            N_(
                "`{token}` is not a state code or name. Use two letters or the name, like IA or "
                "New Hampshire (US for national)."
            ),
            usage,
            token=_shown(token),
        )
    return code


def fold_state(words: list[str], at: int = 0) -> tuple[list[str], int]:
    """`words` with a state name of several words, starting at `at`, folded into its code
    (`new hampshire #nh` → `NH #nh`), and how many words the folding took away."""
    code, size = take_state(words[at:])
    if code is None or size <= 1:
        return words, 0
    return [*words[:at], code, *words[at + size :]], size - 1


def split_state(words: list[str], usage: str) -> tuple[str, list[str]]:
    """The state the words start with (code or name) and the words after it."""
    code, size = take_state(words)
    if code is None:
        require_state(words[0] if words else "", usage)
    assert code is not None
    return code, words[size:]


def parse_kind(token: str) -> ShiftKind | None:
    return KIND_WORDS.get(token.lower())


def parse_shift_id(token: str, usage: str) -> int:
    match = SHIFT_ID.match(token)
    if not match:
        raise UsageError(
            N_("`{token}` is not a shift id. Shift ids are numbers, like 12."), usage, token=_shown(token)
        )
    digits = match.group(1).lstrip("0") or "0"
    # Measured before int(): Python refuses to read more than 4,300 digits (leading zeros too).
    if len(digits) > len(str(MAX_STORED_INT)) or int(digits) > MAX_STORED_INT:
        raise UsageError(
            N_("There is no shift #{shift}. `/shifts` lists the open ones."),
            usage,
            shift=_shown(match.group(1)),
        )
    return int(digits)


def parse_channel(token: str, usage: str) -> ChannelRef:
    if match := CHANNEL_MENTION.match(token):
        return ChannelRef(id=match.group(1), name=match.group(2) or None)
    if match := TYPED_CHANNEL.match(token.lower()):
        return ChannelRef(id=None, name=match.group(1))
    raise UsageError(N_("`{token}` is not a channel. Name it like #iowa."), usage, token=_shown(token))


def parse_user(token: str, usage: str) -> UserRef:
    if match := USER_MENTION.match(token):
        return UserRef(id=match.group(1), name=match.group(2) or None)
    if match := TYPED_USER.match(token):
        return UserRef(id=None, name=match.group(1))
    raise UsageError(N_("`{token}` is not a person. Mention them, like @ana."), usage, token=_shown(token))


WINDOW_WORDS = ("today", "tomorrow", "week")


def parse_day_word(token: str) -> str | None:
    """`today`, `tomorrow` or `week`, from the word in English or Spanish (`hoy`, `mañana`,
    `semana`); None for any other word."""
    return DAY_WORDS.get(fold(token))


def parse_when(token: str) -> str | None:
    """`today`, `tomorrow`, `week` (or `hoy`, `mañana`, `semana`) or a real ISO date,
    normalised; None for anything else."""
    if (word := parse_day_word(token)) is not None:
        return word
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", token):
        if not _valid_iso(token):
            raise UsageError(
                N_("`{token}` is not a real date."), N_("YYYY-MM-DD, e.g. 2026-11-28"), token=token
            )
        return token
    return None


def parse_listing(text: str, usage: str) -> ListingQuery:
    """`[STATE] [today|tomorrow|week|YYYY-MM-DD] [KIND]` in any order."""
    state: str | None = None
    when: str | None = None
    kind: ShiftKind | None = None
    words = tokens(text)
    while words:
        token = words[0]
        code, size = take_state(words) if state is None else (None, 0)
        if code is not None:
            state, words = code, words[size:]
            continue
        words = words[1:]
        if (found := parse_kind(token)) and kind is None:
            kind = found
        elif when is None and (day := parse_when(token)) is not None:
            when = day
        else:
            raise UsageError(
                N_("I don't understand `{word}` here (or it is given twice)."), usage, word=_shown(token)
            )
    return ListingQuery(state, when, kind)


def parse_date(token: str, usage: str) -> date:
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", token) and _valid_iso(token):
        return date.fromisoformat(token)
    raise UsageError(
        N_("`{token}` is not a date. Write dates as YYYY-MM-DD, like 2026-11-28."), usage, token=_shown(token)
    )


def parse_time_range(token: str, usage: str) -> tuple[time, time]:
    match = TIME_RANGE.match(token)
    if not match:
        raise UsageError(
            N_("`{token}` is not a time range. Write it as HH:MM-HH:MM in 24-hour time, like 10:00-13:00."),
            usage,
            token=_shown(token),
        )
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    if h1 > 23 or h2 > 23 or m1 > 59 or m2 > 59:
        raise UsageError(N_("`{token}` has an hour or minute out of range."), usage, token=_shown(token))
    start, end = time(h1, m1), time(h2, m2)
    if end <= start:
        raise UsageError(
            N_("The shift ends ({end}) before it starts ({start}). Shifts end on the day they start."),
            usage,
            end=f"{end:%H:%M}",
            start=f"{start:%H:%M}",
        )
    return start, end


def parse_capacity(token: str, usage: str) -> int:
    if not re.fullmatch(r"\d{1,6}", token):
        raise UsageError(
            N_("`{token}` is not a capacity. Capacity is a whole number of people."),
            usage,
            token=_shown(token),
        )
    return check_capacity(int(token), usage)


def check_capacity(value: int, usage: str) -> int:
    if not 1 <= value <= MAX_CAPACITY:
        raise UsageError(
            N_("Capacity must be between 1 and {most} people, not {value}."),
            usage,
            most=MAX_CAPACITY,
            value=value,
        )
    return value


def check_location(text: str, usage: str) -> str:
    location = slack_to_plain(text)
    if not location:
        raise UsageError(N_("Say where the shift is (an address, a place, or a call link)."), usage)
    if len(location) > MAX_LOCATION:
        raise UsageError(
            N_("The location is {length} characters; keep it to at most {most}."),
            usage,
            length=len(location),
            most=MAX_LOCATION,
        )
    return location


MAX_REASON = 300


def check_reason(text: str, usage: str) -> str:
    """A reason given for a cancellation: plain text, at most MAX_REASON characters."""
    reason = slack_to_plain(text)
    if len(reason) > MAX_REASON:
        raise UsageError(
            N_("The reason is {length} characters; keep it to at most {most}."),
            usage,
            length=len(reason),
            most=MAX_REASON,
        )
    return reason


def check_notes(text: str, usage: str) -> str:
    notes = slack_to_plain(text)
    if len(notes) > MAX_NOTES:
        raise UsageError(
            N_("The notes are {length} characters; keep them to at most {most}."),
            usage,
            length=len(notes),
            most=MAX_NOTES,
        )
    return notes


def _valid_iso(token: str) -> bool:
    try:
        date.fromisoformat(token)
    except ValueError:
        return False
    return True


def _shown(token: str) -> str:
    """A token echoed back in an error: short, and unable to close the code span."""
    token = token.replace("`", "'")
    return token if len(token) <= 40 else token[:37] + "…"


# The metrics as people type them, for hints and errors.
METRIC_LIST = ", ".join(m.value for m in Metric)
NUMBERISH = re.compile(r"^[+-]?\d[\d,]*(?:\.\d+)?$")
# `for ID` at the end of a log, also `para ID`.
FOR_WORDS = ("for", "para")


@dataclass(frozen=True)
class LogRequest:
    """`/log 40 doors 6 convos for 12`: counts per metric, and the shift they belong to."""

    counts: dict[Metric, int]
    shift_id: int | None = None


def parse_metric(token: str) -> Metric | None:
    """A metric from any of its words, in English or Spanish (`doors`, `knocks`, `puertas`)."""
    return METRIC_WORDS.get(fold(token))


def check_count(token: str, metric: Metric, maximum: int, usage: str) -> int:
    """A count as typed: a whole number from 1 to `maximum`."""
    if not re.fullmatch(r"\d+", token):
        raise UsageError(
            N_("`{token}` {metric} isn't a count. Counts are whole numbers from 1 to {maximum}."),
            usage,
            token=_shown(token),
            metric=metric,
            maximum=maximum,
        )
    digits = token.lstrip("0") or "0"
    # Measured before int(): Python refuses to read more than 4,300 digits (leading zeros too).
    if len(digits) > len(str(maximum)) or not 1 <= int(digits) <= maximum:
        raise UsageError(
            N_("{token} {metric} is out of range: one log takes 1 to {maximum} per metric."),
            usage,
            token=_shown(token),
            metric=metric,
            maximum=maximum,
        )
    return int(digits)


def parse_log(text: str, maximum: int, usage: str) -> LogRequest:
    """`N METRIC [N METRIC …] [for ID]`; every count whole and within 1..`maximum`."""
    words = tokens(text)
    shift_id = None
    if len(words) >= 2 and words[-2].lower() in FOR_WORDS:
        shift_id = parse_shift_id(words[-1], usage)
        words = words[:-2]
    elif words and words[-1].lower() in FOR_WORDS:
        raise UsageError(
            N_("`{word}` needs a shift id after it, like `{word} 12`."), usage, word=words[-1].lower()
        )
    if not words:
        raise UsageError(N_("Say what you did, like `40 doors 6 convos`."), usage)
    counts: dict[Metric, int] = {}
    position = 0
    while position < len(words):
        token = words[position]
        metric = parse_metric(token)
        if metric is not None:
            raise UsageError(
                N_("`{token}` needs a number before it, like `12 {token}`."), usage, token=_shown(token)
            )
        if not NUMBERISH.match(token):
            if token.lower() in FOR_WORDS:
                raise UsageError(
                    N_("`{word} ID` goes at the end, like `/log 40 doors {word} 12`."),
                    usage,
                    word=token.lower(),
                )
            raise UsageError(
                N_("`{token}` isn't a number or a metric. Metrics: {metrics}."),
                usage,
                token=_shown(token),
                metrics=ALL_METRICS,
            )
        if position + 1 >= len(words):
            raise UsageError(
                N_("`{token}` needs a metric after it, like `{token} {metric}`."),
                usage,
                token=_shown(token),
                metric=Metric.DOORS,
            )
        name = words[position + 1]
        metric = parse_metric(name)
        if metric is None:
            raise UsageError(
                N_("`{token}` isn't a metric. Metrics: {metrics}."),
                usage,
                token=_shown(name),
                metrics=ALL_METRICS,
            )
        if metric in counts:
            raise UsageError(N_("{metric} is given twice; give each metric once."), usage, metric=metric)
        counts[metric] = check_count(token, metric, maximum, usage)
        position += 2
    return LogRequest(counts, shift_id)


EDIT_WORDS = ("date", "time", "capacity", "location")


def parse_edit(words: list[str], rest_after: Callable[[int], str], usage: str) -> ShiftChanges:
    """`[date YYYY-MM-DD] [time HH:MM-HH:MM] [capacity N] [location TEXT…]` in any order, the
    location last (it takes the rest, spacing kept); `rest_after(n)` is the raw text after
    the first n words."""
    found: dict[str, object] = {}
    position = 0
    while position < len(words):
        word = words[position].lower()
        if word not in EDIT_WORDS:
            raise UsageError(
                N_("I can't change `{token}`. Name what changes: date, time, capacity or location."),
                usage,
                token=_shown(words[position]),
            )
        if word in found:
            raise UsageError(N_("`{word}` is given twice; give each once."), usage, word=word)
        if word == "location":
            found[word] = check_location(rest_after(position + 1), usage)
            break
        if position + 1 >= len(words):
            example = {"date": "date 2026-11-28", "time": "time 10:00-13:00", "capacity": "capacity 8"}[word]
            raise UsageError(
                N_("`{word}` needs a value after it, like `{example}`."), usage, word=word, example=example
            )
        value = words[position + 1]
        if word == "date":
            found[word] = parse_date(value, usage)
        elif word == "time":
            found[word] = parse_time_range(value, usage)
        else:
            found[word] = parse_capacity(value, usage)
        position += 2
    times = found.get("time")
    start, end = times if isinstance(times, tuple) else (None, None)
    day, capacity, location = found.get("date"), found.get("capacity"), found.get("location")
    return ShiftChanges(
        day=day if isinstance(day, date) else None,
        start=start,
        end=end,
        capacity=capacity if isinstance(capacity, int) else None,
        location=location if isinstance(location, str) else None,
    )


def parse_repeat(words: list[str], usage: str) -> Repeat:
    """`weekly N` or `until YYYY-MM-DD`."""
    if len(words) != 2 or words[0].lower() not in ("weekly", "until"):
        raise UsageError(N_("Say how long to repeat it: `weekly N` (weeks) or `until YYYY-MM-DD`."), usage)
    if words[0].lower() == "until":
        return Repeat(until=parse_date(words[1], usage))
    if not re.fullmatch(r"\d{1,4}", words[1]):
        raise UsageError(N_("`{token}` is not a number of weeks, like 4."), usage, token=_shown(words[1]))
    weeks = int(words[1])
    if not 1 <= weeks <= MAX_REPEAT:
        raise UsageError(
            N_("Repeat for 1 to {most} weeks at a time, not {weeks}."), usage, most=MAX_REPEAT, weeks=weeks
        )
    return Repeat(weeks=weeks)
