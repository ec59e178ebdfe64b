"""Turnout's tables (SPEC §2). Data only: the rules live in `bot.services`.

Every instant is stored in UTC (`UTCDateTime` hands back aware datetimes on SQLite and
PostgreSQL alike); local dates are stored as dates in the state's own zone.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from enum import StrEnum
from typing import Any, Generic, Literal, TypeVar

import sqlalchemy as sa
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy.engine import Dialect
from sqlmodel import Field, SQLModel


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    """A timezone-aware UTC instant, stored naive-UTC so SQLite and PostgreSQL agree."""

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where a UTC instant is stored")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


def utc_column(*, nullable: bool = False, index: bool = False) -> Any:
    return Field(sa_column=sa.Column(UTCDateTime(), nullable=nullable, index=index))


E = TypeVar("E", bound=StrEnum)


class EnumString(sa.types.TypeDecorator[E], Generic[E]):
    """A StrEnum stored as its value in a plain VARCHAR (no native enum type, so adding a
    member needs no migration); rows read back as enum members."""

    impl = sa.String
    cache_ok = True

    def __init__(self, enum: type[E], length: int) -> None:
        super().__init__(length)
        self.enum = enum
        self.length = length

    def process_bind_param(self, value: E | str | None, dialect: Dialect) -> str | None:
        return None if value is None else self.enum(value).value

    def process_result_value(self, value: str | None, dialect: Dialect) -> E | None:
        return None if value is None else self.enum(value)


def render_type(type_: str, obj: Any, autogen_context: Any) -> str | Literal[False]:
    """Alembic's `render_item`: an enum column is written into migrations as the VARCHAR it
    is stored as, so a migration never depends on the enum's members."""
    if type_ == "type" and isinstance(obj, EnumString):
        return f"sa.String(length={obj.length})"
    return False


def enum_column(enum: type[StrEnum], length: int, *, default: StrEnum | None = None) -> Any:
    if default is None:
        return Field(sa_type=EnumString(enum, length))
    return Field(default=default, sa_type=EnumString(enum, length))


class ShiftKind(StrEnum):
    CANVASS = "canvass"
    PHONEBANK = "phonebank"
    TEXTBANK = "textbank"
    EVENT = "event"
    TRAINING = "training"


class ShiftStatus(StrEnum):
    """`proposed`: a volunteer's `/host` waiting for a coordinator (not listed, not claimable);
    `declined`: a proposal a coordinator turned down; `open`: published; `cancelled`."""

    PROPOSED = "proposed"
    DECLINED = "declined"
    OPEN = "open"
    CANCELLED = "cancelled"


class SignupStatus(StrEnum):
    CLAIMED = "claimed"
    CONFIRMED = "confirmed"
    ATTENDED = "attended"
    NO_SHOW = "no_show"
    WAITLISTED = "waitlisted"
    # A claim held for a coordinator or the host to accept (the state's no-show policy).
    PENDING = "pending"
    RELEASED = "released"
    REMOVED = "removed"


# Signups that hold a place on the shift.
HOLDING = (
    SignupStatus.CLAIMED,
    SignupStatus.CONFIRMED,
    SignupStatus.ATTENDED,
    SignupStatus.NO_SHOW,
)
# Signups that still count as "on the shift" for the volunteer (holding a place or queued).
ACTIVE = (*HOLDING, SignupStatus.WAITLISTED, SignupStatus.PENDING)


class Metric(StrEnum):
    DOORS = "doors"
    CALLS = "calls"
    TEXTS = "texts"
    CONVOS = "convos"
    SUPPORTERS = "supporters"


class DeliveryStatus(StrEnum):
    """`claimed`: someone is sending it (or was, and crashed); `retry`: owed, to be tried again at
    `next_attempt_at`; `sent`; `failed`: given up (Slack refused it for good, or it is no longer useful)."""

    CLAIMED = "claimed"
    RETRY = "retry"
    SENT = "sent"
    FAILED = "failed"


class DeliveryKind(StrEnum):
    """What a delivery is; scheduled posts are named after their job.

    `shift_redraw` and `home` are owed redraws of something already shown (a shift's channel
    post and its at-risk posts, a person's App Home tab): one row per shift or person, owed
    again each time a redraw is missed, and each retry draws how things stand then.
    `weekly_chart` is the PNG that follows a coordinator's weekly digest."""

    SHIFT_POST = "shift_post"
    AT_RISK = "at_risk"
    REMINDER = "reminder"
    FOLLOW_UP = "follow_up"
    MORNING = "morning"
    EVENING = "evening"
    DAY_BEFORE = "day-before"
    WEEKLY = "weekly"
    PROMOTED = "promoted"
    CANCELLED = "cancelled"
    REMOVED = "removed"
    FORM_REPLY = "form_reply"
    PROPOSAL = "proposal"
    DECISION = "decision"
    HOST_NEWS = "host_news"
    SHIFT_CHANGED = "shift_changed"
    LEADS = "leads"
    SHIFT_REDRAW = "shift_redraw"
    HOME = "home"
    WEEKLY_CHART = "weekly_chart"
    ACCEPTED = "accepted"


class Counted(SQLModel):
    """The five metrics, as counts: attempts (doors, calls, texts) and outcomes (convos, supporters)."""

    doors: int = 0
    calls: int = 0
    texts: int = 0
    convos: int = 0
    supporters: int = 0


def _team_fk(table: str) -> sa.ForeignKeyConstraint:
    """A workspace's row belongs to an organization of the coalition."""
    return sa.ForeignKeyConstraint(["team_id"], ["organization.team_id"], name=f"fk_{table}_team")


def _state_fk(table: str, column: str = "state") -> sa.ForeignKeyConstraint:
    """A state as one workspace set it up: states are per workspace."""
    return sa.ForeignKeyConstraint(
        ["team_id", column], ["state.team_id", "state.code"], name=f"fk_{table}_{column}"
    )


def _volunteer_fk(table: str, column: str) -> sa.ForeignKeyConstraint:
    """A person: a Slack user id is only unique within its workspace."""
    return sa.ForeignKeyConstraint(
        ["team_id", column], ["volunteer.team_id", "volunteer.id"], name=f"fk_{table}_{column}"
    )


class Organization(SQLModel, table=True):
    """One organization of the coalition: a Slack workspace Turnout is (or was) installed in.

    Named from the workspace when it installs Turnout (or, with one workspace, when Turnout
    starts); a name given with `/turnout org NAME` is the organization's own and is never
    overwritten from Slack. An uninstalled organization keeps its row, and its history."""

    team_id: str = Field(primary_key=True, max_length=32)
    enterprise_id: str | None = Field(default=None, max_length=32)
    name: str = Field(default="", max_length=120)
    # Who gave the name with `/turnout org NAME`; None while the name is Slack's.
    name_set_by: str | None = Field(default=None, max_length=32)
    installed_at: datetime = utc_column()
    uninstalled_at: datetime | None = utc_column(nullable=True)
    created_at: datetime = utc_column()


class State(SQLModel, table=True):
    """A state (or `US`): its zone, its channel, and when its scheduled posts go out."""

    __table_args__ = (
        sa.UniqueConstraint("team_id", "channel_id", name="uq_state_team_channel"),
        sa.UniqueConstraint("team_id", "leads_channel_id", name="uq_state_team_leads_channel"),
        _team_fk("state"),
    )

    team_id: str = Field(primary_key=True, max_length=32)
    code: str = Field(primary_key=True, max_length=2)
    timezone: str = Field(max_length=64)
    channel_id: str | None = Field(default=None, max_length=32)
    unclaim_cutoff_minutes: int = 180
    morning_at: time = time(9, 0)
    evening_at: time = time(20, 0)
    day_before_at: time = time(11, 0)
    weekly_at: time = time(8, 0)
    reminder_lead_minutes: int = 120
    follow_up_minutes: int = 60
    created_at: datetime = utc_column()
    # The state's leaders' (private) channel: proposals, late releases, at-risk shifts,
    # no-shows and the weekly digest go there; without one, to the coordinators by DM.
    leads_channel_id: str | None = Field(default=None, max_length=32)
    # The no-show policy: a volunteer with this many no-shows in 60 days has their claims held
    # for a coordinator or host to accept. None: off.
    noshow_limit: int | None = None
    # The language of the posts in the state's channel (`/turnout language STATE es`); None: English.
    language: str | None = Field(default=None, max_length=8)


class Volunteer(SQLModel, table=True):
    """A Slack user as Turnout knows them, in one workspace; the profile part is refreshed from
    `users.info`."""

    __table_args__ = (_team_fk("volunteer"), _state_fk("volunteer", "home_state"))

    team_id: str = Field(primary_key=True, max_length=32)
    id: str = Field(primary_key=True, max_length=32)
    display_name: str = Field(default="", max_length=120)
    real_name: str = Field(default="", max_length=120)
    email: str | None = Field(default=None, max_length=254)
    timezone: str | None = Field(default=None, max_length=64)
    is_workspace_admin: bool = False
    home_state: str | None = Field(default=None, max_length=2)
    created_at: datetime = utc_column()
    profile_updated_at: datetime = utc_column()
    # Slack's locale for the person (`es-LA`), refreshed with the profile; part of it.
    locale: str | None = Field(default=None, max_length=16)
    # The language the person chose with `/turnout language` (`es`, `en`); None: follow Slack.
    language: str | None = Field(default=None, max_length=8)


class Coordinator(SQLModel, table=True):
    """A coordinator role: `user_id` may run `state`'s shifts, goals and roster."""

    __table_args__ = (_volunteer_fk("coordinator", "user_id"), _state_fk("coordinator"))

    team_id: str = Field(primary_key=True, max_length=32)
    user_id: str = Field(primary_key=True, max_length=32)
    state: str = Field(primary_key=True, max_length=2)
    granted_by: str = Field(max_length=32)
    granted_at: datetime = utc_column()


class TrustedHost(SQLModel, table=True):
    """A volunteer a coordinator trusts to host in `state`: their `/host` publishes directly."""

    __table_args__ = (_volunteer_fk("trustedhost", "user_id"), _state_fk("trustedhost"))

    team_id: str = Field(primary_key=True, max_length=32)
    user_id: str = Field(primary_key=True, max_length=32)
    state: str = Field(primary_key=True, max_length=2)
    granted_by: str = Field(max_length=32)
    granted_at: datetime = utc_column()


class TrainingRule(SQLModel, table=True):
    """In `state`, claiming a shift of `kind` needs a training first (SPEC §8, training first)."""

    __table_args__ = (_state_fk("trainingrule"),)

    team_id: str = Field(primary_key=True, max_length=32)
    state: str = Field(primary_key=True, max_length=2)
    kind: ShiftKind = Field(primary_key=True, sa_type=EnumString(ShiftKind, 16))
    set_by: str = Field(max_length=32)
    set_at: datetime = utc_column()


class TrainingRecord(SQLModel, table=True):
    """A training done elsewhere, recorded by a coordinator (`/turnout trained @user STATE`)."""

    __table_args__ = (_volunteer_fk("trainingrecord", "user_id"), _state_fk("trainingrecord"))

    team_id: str = Field(primary_key=True, max_length=32)
    user_id: str = Field(primary_key=True, max_length=32)
    state: str = Field(primary_key=True, max_length=2)
    recorded_by: str = Field(max_length=32)
    recorded_at: datetime = utc_column()


class Shift(SQLModel, table=True):
    """A shift volunteers can claim; `version` moves on every change of fill, for its channel post."""

    __table_args__ = (
        sa.Index("ix_shift_state_starts", "state", "starts_at"),
        sa.Index("ix_shift_team_state_starts", "team_id", "state", "starts_at"),
        sa.Index("ix_shift_host", "team_id", "host_id", "starts_at"),
        sa.Index("ix_shift_series", "series_id", "starts_at"),
        sa.CheckConstraint("capacity >= 1", name="ck_shift_capacity_positive"),
        sa.CheckConstraint("ends_at > starts_at", name="ck_shift_ends_after_start"),
        _team_fk("shift"),
        _state_fk("shift"),
        _volunteer_fk("shift", "host_id"),
    )

    # The organization that owns the shift (its host, its state's settings).
    team_id: str = Field(max_length=32)
    id: int | None = Field(default=None, primary_key=True)
    state: str = Field(max_length=2)
    kind: ShiftKind = enum_column(ShiftKind, 16)
    starts_at: datetime = utc_column()
    ends_at: datetime = utc_column()
    location: str = Field(max_length=300)
    notes: str = Field(default="", max_length=1000)
    capacity: int
    status: ShiftStatus = enum_column(ShiftStatus, 16, default=ShiftStatus.OPEN)
    version: int = 0
    created_by: str = Field(max_length=32)
    created_at: datetime = utc_column()
    cancelled_at: datetime | None = utc_column(nullable=True)
    # The modal submission (view id) that created it: a resubmitted modal finds it again.
    source_key: str | None = Field(default=None, max_length=64, unique=True)
    channel_id: str | None = Field(default=None, max_length=32)
    message_ts: str | None = Field(default=None, max_length=32)
    # The volunteer who runs it (`/host`); None for a shift staff added.
    host_id: str | None = Field(default=None, max_length=32)
    # A proposal's decision: who approved or declined it, when, and the reason given for a decline.
    decided_by: str | None = Field(default=None, max_length=32)
    decided_at: datetime | None = utc_column(nullable=True)
    decline_reason: str | None = Field(default=None, max_length=300)
    cancel_reason: str | None = Field(default=None, max_length=300)
    # A weekly series is named by its first shift's id (`shift repeat`); None: a single shift.
    series_id: int | None = None
    # Shared with the coalition (`/turnout share ID`): when, and by whom of the owning organization.
    # Other workspaces with a channel for the state list it and post it; sharing is never undone.
    shared_at: datetime | None = utc_column(nullable=True)
    shared_by: str | None = Field(default=None, max_length=32)


class ShiftPost(SQLModel, table=True):
    """A shared shift's living post in another organization's workspace (the owning workspace's
    own post is the shift's `channel_id`/`message_ts`): one per shift and workspace, redrawn with
    that workspace's token whenever the shift's fill changes."""

    __table_args__ = (_team_fk("shiftpost"),)

    team_id: str = Field(primary_key=True, max_length=32)
    shift_id: int = Field(primary_key=True, foreign_key="shift.id")
    channel_id: str = Field(max_length=32)
    message_ts: str = Field(max_length=32)


class Signup(SQLModel, table=True):
    """A volunteer on a shift. One row per (shift, volunteer): reclaiming reuses it."""

    __table_args__ = (
        sa.UniqueConstraint("shift_id", "team_id", "volunteer_id", name="uq_signup_shift_volunteer"),
        sa.Index("ix_signup_volunteer_status", "team_id", "volunteer_id", "status"),
        sa.Index("ix_signup_shift_status", "shift_id", "status"),
        # A claim's next place in line is read from here, not from the waiting rows.
        sa.Index("ix_signup_shift_seq", "shift_id", "waitlist_seq"),
        _volunteer_fk("signup", "volunteer_id"),
    )

    # The volunteer's workspace (not necessarily the shift's).
    team_id: str = Field(max_length=32)
    id: int | None = Field(default=None, primary_key=True)
    shift_id: int = Field(foreign_key="shift.id")
    volunteer_id: str = Field(max_length=32)
    status: SignupStatus = enum_column(SignupStatus, 16)
    # Arrival order on the waitlist; the displayed position is the rank among those waiting.
    waitlist_seq: int | None = None
    created_at: datetime = utc_column()
    updated_at: datetime = utc_column()
    confirmed_at: datetime | None = utc_column(nullable=True)
    marked_by: str | None = Field(default=None, max_length=32)
    # Who put them on the shift when it was not themselves (`roster ID add @user`).
    added_by: str | None = Field(default=None, max_length=32)


class Engagement(SQLModel, table=True):
    """Where a volunteer stands on the ladder of engagement in one state, kept from their
    signups and hosted shifts whenever those change, so `/turnout people` reads an index.

    Time-windowed rungs are read against the clock: *regular* is 3 shifts attended in 30 days,
    which holds while `third_last_attended_at` is inside the window; 2 no-shows in 60 days
    likewise with `second_last_no_show_at`.
    """

    # Each segment of `/turnout people` is one range of one index, in the order it is listed
    # (newest first, then by volunteer id), so a page is read without sorting the segment.
    __table_args__ = (
        sa.Index(
            "ix_engagement_ready", "team_id", "state", "hosted", "third_last_attended_at", "volunteer_id"
        ),
        sa.Index("ix_engagement_last", "team_id", "state", "hosted", "last_attended_at", "volunteer_id"),
        sa.Index(
            "ix_engagement_new", "team_id", "state", "attended", "hosted", "first_signup_at", "volunteer_id"
        ),
        sa.Index("ix_engagement_no_shows", "team_id", "state", "second_last_no_show_at", "volunteer_id"),
        _volunteer_fk("engagement", "volunteer_id"),
        _state_fk("engagement"),
    )

    team_id: str = Field(primary_key=True, max_length=32)
    volunteer_id: str = Field(primary_key=True, max_length=32)
    state: str = Field(primary_key=True, max_length=2)
    first_signup_at: datetime = utc_column()
    attended: int = 0
    hosted: int = 0
    no_shows: int = 0
    last_shift_id: int | None = None
    last_attended_at: datetime | None = utc_column(nullable=True)
    third_last_attended_at: datetime | None = utc_column(nullable=True)
    second_last_no_show_at: datetime | None = utc_column(nullable=True)
    # The highest rung already celebrated in the evening post, so a step up is cheered once,
    # and the local date of the post that cheered it, so that day's post drawn again cheers it again.
    celebrated_rung: str | None = Field(default=None, max_length=16)
    celebrated_on: date | None = None


class ContactLog(Counted, table=True):
    """Counts a volunteer logged: never names, numbers or addresses."""

    __table_args__ = (
        sa.Index("ix_contactlog_state_date", "team_id", "state", "local_date"),
        sa.Index("ix_contactlog_volunteer_logged", "team_id", "volunteer_id", "logged_at"),
        _volunteer_fk("contactlog", "volunteer_id"),
        _state_fk("contactlog"),
        sa.CheckConstraint(
            "doors >= 0 AND calls >= 0 AND texts >= 0 AND convos >= 0 AND supporters >= 0",
            name="ck_contactlog_counts_nonnegative",
        ),
    )

    # The logger's workspace.
    team_id: str = Field(max_length=32)
    id: int | None = Field(default=None, primary_key=True)
    volunteer_id: str = Field(max_length=32)
    state: str = Field(max_length=2)
    shift_id: int | None = Field(default=None, foreign_key="shift.id")
    local_date: date
    logged_at: datetime = utc_column()
    # The modal submission that recorded it: a resubmitted modal records nothing new.
    source_key: str | None = Field(default=None, max_length=64, unique=True)


class ContactDay(Counted, table=True):
    """A volunteer's totals for one state on one local day, kept in the same transaction as
    every log and undo, so stats and leaderboards never scan the log history."""

    __table_args__ = (
        sa.Index("ix_contactday_state_date", "team_id", "state", "local_date"),
        sa.Index("ix_contactday_volunteer_date", "team_id", "volunteer_id", "local_date"),
        _volunteer_fk("contactday", "volunteer_id"),
        _state_fk("contactday"),
    )

    team_id: str = Field(primary_key=True, max_length=32)
    volunteer_id: str = Field(primary_key=True, max_length=32)
    state: str = Field(primary_key=True, max_length=2)
    local_date: date = Field(primary_key=True)
    logs: int = 0


class StateDay(Counted, table=True):
    """A state's totals for one local day, and how many volunteers logged: what `/stats STATE`
    and the digests read, a few rows a day whatever the volume.

    The day is split in `shard`s (`bot.services.contacts.STATE_DAY_SHARDS`), each volunteer's
    logs always in the same one, so that logs from many people at once do not all wait for
    one row's lock; readers add the shards up."""

    __table_args__ = (_state_fk("stateday"),)

    team_id: str = Field(primary_key=True, max_length=32)
    state: str = Field(primary_key=True, max_length=2)
    local_date: date = Field(primary_key=True)
    shard: int = Field(default=0, primary_key=True, sa_column_kwargs={"server_default": "0"})
    logs: int = 0
    active: int = 0


class ContactWeek(Counted, table=True):
    """A volunteer's totals for one state in one week (Monday to Sunday, local), with their
    contacts summed and indexed: the weekly leaderboard is an index scan."""

    # Serves the board's order (contacts, then id, both descending) straight from the index.
    __table_args__ = (
        sa.Index("ix_contactweek_board", "team_id", "state", "week_start", "contacts", "volunteer_id"),
        _volunteer_fk("contactweek", "volunteer_id"),
        _state_fk("contactweek"),
    )

    team_id: str = Field(primary_key=True, max_length=32)
    volunteer_id: str = Field(primary_key=True, max_length=32)
    state: str = Field(primary_key=True, max_length=2)
    week_start: date = Field(primary_key=True)
    contacts: int = 0
    logs: int = 0


class OrgDay(Counted, table=True):
    """An organization's totals for one local day (each log's state's day), across its states, and
    how many of its volunteers logged that day in any state: what `/stats coalition`, the
    organizations' leaderboard and the campaign goal read, a few rows per organization a day.

    Split in `shard`s like `StateDay` (a volunteer's logs always in the same one), so an
    organization's many loggers do not all wait for one row's lock; readers add the shards up."""

    # The coalition's day across organizations (today's rows, the goal's days) is a range of this.
    __table_args__ = (sa.Index("ix_orgday_date", "local_date", "team_id"), _team_fk("orgday"))

    team_id: str = Field(primary_key=True, max_length=32)
    local_date: date = Field(primary_key=True)
    shard: int = Field(default=0, primary_key=True)
    logs: int = 0
    active: int = 0


class OrgWeek(Counted, table=True):
    """An organization's totals for one week (Monday to Sunday, local), and how many of its
    volunteers logged that week in any state. Sharded like `OrgDay`."""

    __table_args__ = (sa.Index("ix_orgweek_week", "week_start", "team_id"), _team_fk("orgweek"))

    team_id: str = Field(primary_key=True, max_length=32)
    week_start: date = Field(primary_key=True)
    shard: int = Field(default=0, primary_key=True)
    contacts: int = 0
    logs: int = 0
    active: int = 0


class CampaignGoal(SQLModel, table=True):
    """The coalition's one goal: `target` of a metric, optionally by a date, set by a campaign
    admin. Every goal set is kept; the latest (highest id) is the goal."""

    id: int | None = Field(default=None, primary_key=True)
    target: int
    metric: Metric = enum_column(Metric, 16)
    by_date: date | None = None
    set_by_team: str = Field(max_length=32)
    set_by_user: str = Field(max_length=32)
    set_at: datetime = utc_column()


class Goal(SQLModel, table=True):
    """A state's target for one metric: on one local date, or standing daily when `local_date` is null.

    A standing goal holds from its `starts_on` local date until the next one for the metric starts,
    so changing it never rewrites a day that has passed.
    """

    __table_args__ = (
        sa.Index(
            "uq_goal_dated",
            "team_id",
            "state",
            "metric",
            "local_date",
            unique=True,
            sqlite_where=sa.text("local_date IS NOT NULL"),
            postgresql_where=sa.text("local_date IS NOT NULL"),
        ),
        sa.Index(
            "uq_goal_standing",
            "team_id",
            "state",
            "metric",
            "starts_on",
            unique=True,
            sqlite_where=sa.text("local_date IS NULL"),
            postgresql_where=sa.text("local_date IS NULL"),
        ),
        _state_fk("goal"),
    )

    team_id: str = Field(max_length=32)
    id: int | None = Field(default=None, primary_key=True)
    state: str = Field(max_length=2)
    metric: Metric = enum_column(Metric, 16)
    local_date: date | None = None
    starts_on: date | None = None
    target: int
    set_by: str = Field(max_length=32)
    set_at: datetime = utc_column()


class Delivery(SQLModel, table=True):
    """A message Turnout must send exactly once, keyed by (team, kind, target, key).

    Claimed before sending, completed with Slack's `ts` after. What it says is kept in `payload`
    (JSON text + blocks) so a failed or crashed attempt can be retried at `next_attempt_at`,
    until `expires_at`, after which it is no longer worth sending. Deliveries to one target about
    one shift (`shift_id`) go out in the order they were recorded (`id`).
    """

    __table_args__ = (
        sa.UniqueConstraint("team_id", "kind", "target", "key", name="uq_delivery_team_kind_target_key"),
        sa.Index("ix_delivery_team_owed", "team_id", "status", "next_attempt_at"),
        _team_fk("delivery"),
    )

    # The workspace whose token sends it.
    team_id: str = Field(max_length=32)
    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=32)
    target: str = Field(max_length=32)
    key: str = Field(max_length=64)
    status: DeliveryStatus = enum_column(DeliveryStatus, 16, default=DeliveryStatus.CLAIMED)
    attempts: int = 0
    claimed_at: datetime = utc_column()
    sent_at: datetime | None = utc_column(nullable=True)
    channel_id: str | None = Field(default=None, max_length=32)
    message_ts: str | None = Field(default=None, max_length=32)
    last_error: str | None = Field(default=None, max_length=500)
    payload: str | None = Field(default=None, sa_type=sa.Text)
    shift_id: int | None = Field(default=None, index=True)
    created_at: datetime | None = utc_column(nullable=True)
    next_attempt_at: datetime | None = utc_column(nullable=True, index=True)
    expires_at: datetime | None = utc_column(nullable=True)


# slack_sdk's tables for a coalition's installations (one bot token per workspace) and for the
# OAuth flow's one-time states, exactly as slack_sdk defines them, registered in Turnout's
# metadata: migrations create them and the migration test holds them to slack_sdk's definition.
# slack_sdk's stores query their own identical copies of these tables.
SLACK_INSTALLATIONS = SQLAlchemyInstallationStore.build_installations_table(
    SQLModel.metadata, "slack_installations"
)
SLACK_BOTS = SQLAlchemyInstallationStore.build_bots_table(SQLModel.metadata, "slack_bots")
SLACK_OAUTH_STATES = SQLAlchemyOAuthStateStore.build_oauth_states_table(
    SQLModel.metadata, "slack_oauth_states"
)
