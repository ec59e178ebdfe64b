"""Domain errors. Each message is written to be shown to the person who caused it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.i18n import N_
from bot.models import SignupStatus
from bot.services.places import article

if TYPE_CHECKING:  # shifts imports this module: its views are named here for the type checker only
    from bot.services.shifts import ShiftView


class TurnoutError(Exception):
    """An expected refusal: shown to the user as it is; nothing was written.

    `message` may be a catalog message marked with `N_` and its `{fields}` given as `values`
    (`NotFound(N_("There is no shift #{shift}."), shift=12)`): it is then shown in the reader's
    language by `bot.blocks.refusals`, and `message` holds the English. A message without
    values is shown as it is written (English) unless the catalog has it."""

    def __init__(self, message: str, /, **values: object) -> None:
        self.template = message
        self.values = values
        self.message = message.format(**values) if values else message
        super().__init__(self.message)


class UsageError(TurnoutError):
    """The input could not be read; the message says what was wrong and shows the right form.

    `problem` is a catalog message (its fields in `values`), `usage` a usage line from
    `bot.blocks.help`; both are shown in the reader's language where the catalog has them."""

    def __init__(self, problem: str, usage: str, /, **values: object) -> None:
        self.problem_template = problem
        self.problem = problem.format(**values) if values else problem
        self.usage = usage
        super().__init__(f"{self.problem}\nUsage: {usage}")
        self.values = values


class NotFound(TurnoutError):
    """The thing named does not exist (or is not visible to the caller)."""


class Refused(TurnoutError):
    """The rules do not allow it: wrong role, too late, already cancelled …"""


# Named refusals that carry who or what they are about. Their `message` is a plain fallback;
# what people see (with mentions of the people and channels named) is drawn by
# `bot.blocks.refusals.refusal_text`.


class NotCoordinator(Refused):
    """Only the state's coordinators (`coordinator_ids`, oldest first) or an admin may do it."""

    def __init__(self, state: str, coordinator_ids: tuple[str, ...], doing: str, /, **values: object) -> None:
        who = (
            f"a {state} coordinator or an admin"
            if coordinator_ids
            else f"an admin (no one coordinates {state} yet)"
        )
        # `doing` may be a catalog message with `{state}` and `values`' fields (`{shift}`): kept
        # as `doing_template` for the reader's language, `doing` is its English.
        self.doing_values: dict[str, object] = {"state": state, **values}
        self.doing_template = doing
        self.doing = doing.format(**self.doing_values)
        super().__init__(f"Only {who} can {self.doing}.")
        self.state = state
        self.coordinator_ids = coordinator_ids


class NotShiftRunner(Refused):
    """Only the shift's host (`host_id`), the state's coordinators or an admin may do it."""

    def __init__(
        self,
        state: str,
        host_id: str | None,
        coordinator_ids: tuple[str, ...],
        doing: str,
        /,
        **values: object,
    ) -> None:
        self.doing_values: dict[str, object] = {"state": state, **values}
        staff = (
            f"{article(state)} {state} coordinator or an admin"
            if coordinator_ids
            else f"an admin (no one coordinates {state} yet)"
        )
        who = f"the shift's host or {staff}" if host_id else staff
        self.doing_template = doing
        super().__init__(f"Only {who} can {doing.format(**self.doing_values)}.")
        self.state = state
        self.host_id = host_id
        self.coordinator_ids = coordinator_ids
        self.doing = doing.format(**self.doing_values)


class NotCoordinating(NotFound):
    """Revoking a coordinator role the person does not hold."""

    def __init__(self, user_id: str, state: str) -> None:
        super().__init__(f"{user_id} is not a {state} coordinator, so there is nothing to revoke.")
        self.user_id = user_id
        self.state = state


class ChannelTaken(Refused):
    """The channel already belongs to another state (one state per channel), or is a state's
    leads channel (`leads`: for its leaders, never where volunteers are)."""

    def __init__(self, channel_id: str, holder: str, wanted: str, *, leads: bool = False) -> None:
        super().__init__(
            f"That channel is {holder}'s leads channel. Pick another channel for {wanted}'s volunteers."
            if leads
            else f"That channel is already {holder}'s channel. "
            f"Bind {holder} elsewhere first, or pick another channel for {wanted}."
        )
        self.channel_id = channel_id
        self.holder = holder
        self.wanted = wanted
        self.leads = leads


class UnknownTimezone(Refused):
    """A time zone that is not an IANA name."""

    def __init__(self, timezone: str) -> None:
        super().__init__(
            f"`{timezone[:60]}` is not a time zone I know. Use an IANA name such as America/Denver."
        )
        self.timezone = timezone


class StateHasNoChannel(Refused):
    """A post for a state that has no channel bound yet."""

    def __init__(self, state: str) -> None:
        super().__init__(
            N_("{state} has no channel yet. An admin binds one with `/turnout state {state} #channel`."),
            state=state,
        )
        self.state = state


class ReleaseCutoffPassed(Refused):
    """Too close to the shift's start for a volunteer to release it; a coordinator or admin can."""

    def __init__(
        self,
        shift_id: int,
        state: str,
        hours: float,
        coordinator_ids: tuple[str, ...],
        started: bool = False,
        org: str | None = None,
    ) -> None:
        super().__init__(
            f"Shift #{shift_id} has already started, too late to release it yourself."
            if started
            else f"Shift #{shift_id} starts within {hours:g} hours, too close to release it yourself."
        )
        self.shift_id = shift_id
        self.state = state
        self.hours = hours
        self.coordinator_ids = coordinator_ids
        self.started = started
        # Another organization's shared shift: its name (its coordinators are not named to someone
        # whose workspace cannot resolve them).
        self.org = org


class AttendanceDoesNotApply(Refused):
    """Attendance is taken only for people holding a place on the shift."""

    def __init__(self, volunteer_id: str, status: SignupStatus) -> None:
        super().__init__(f"{volunteer_id} is {status}, so attendance doesn't apply.")
        self.volunteer_id = volunteer_id
        self.status = status


class GoalOutOfRange(Refused):
    """A goal outside 1..`maximum`."""

    def __init__(self, target: int, maximum: int) -> None:
        super().__init__(f"A goal must be between 1 and {maximum:,}.")
        self.target = target
        self.maximum = maximum


class TrainingRequired(Refused):
    """Claiming this kind of shift in this state needs a training first (SPEC §8, training
    first); `trainings` are the next ones the volunteer could take, soonest first."""

    def __init__(
        self,
        shift_id: int,
        state: str,
        kind: str,
        trainings: tuple[ShiftView, ...],
        coordinator_ids: tuple[str, ...],
        org: str | None = None,
    ) -> None:
        offer = (
            "Claim one of the next trainings first (one that ends before the shift starts counts), "
            "then claim the shift again."
            if trainings
            else f"No training is scheduled yet; ask a {state} coordinator."
        )
        super().__init__(f"Shift #{shift_id} needs a training first. {offer}")
        self.shift_id = shift_id
        self.state = state
        self.kind = kind
        self.trainings = trainings
        self.coordinator_ids = coordinator_ids
        # Another organization's shared shift: its name, not its coordinators (whom the claimer's
        # workspace cannot resolve).
        self.org = org


class CapacityBelowHeld(Refused):
    """A shift's capacity lowered below the places already held; `holders` are (user id, name),
    in the order they took their places, so the refusal can say who holds them."""

    def __init__(
        self,
        shift_id: int,
        capacity: int,
        holders: tuple[tuple[str, str], ...],
        orgs: dict[str, str] | None = None,
    ) -> None:
        super().__init__(
            f"Shift #{shift_id} has {len(holders)} places held, so its capacity can't go below {len(holders)}."
        )
        self.shift_id = shift_id
        self.capacity = capacity
        self.holders = holders
        # Holders of another organization (a shared shift): their organization's name, by user id;
        # they are named, not mentioned, in the shift's own workspace.
        self.orgs = orgs or {}


class NotTrustedHost(NotFound):
    """Revoking a trusted-host role the person does not hold."""

    def __init__(self, user_id: str, state: str) -> None:
        super().__init__(f"{user_id} is not a trusted host in {state}, so there is nothing to revoke.")
        self.user_id = user_id
        self.state = state


class LeadsChannelTaken(Refused):
    """The channel is already a state's channel (where its volunteers are) or another state's
    leads channel; `leads` says which."""

    def __init__(self, channel_id: str, holder: str, wanted: str, *, leads: bool) -> None:
        what = f"{holder}'s leads channel" if leads else f"{holder}'s state channel, where its volunteers are"
        super().__init__(f"That channel is already {what}. Pick another channel for {wanted}'s leads.")
        self.channel_id = channel_id
        self.holder = holder
        self.wanted = wanted
        self.leads = leads
