"""What every listener shares: replying, turning refusals into replies, knowing who is acting."""

from __future__ import annotations

import http.client
import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cached_property
from typing import Any

import psycopg
from slack_bolt import Ack, App, Args, BoltResponse, Respond
from slack_bolt.request.internals import extract_team_id
from slack_bolt.util.utils import get_arg_names_of_callable
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.models.attachments import Attachment
from slack_sdk.models.blocks import Block
from slack_sdk.webhook import WebhookClient, WebhookResponse
from sqlalchemy import exc as sa_exc
from sqlmodel import Session

from bot.blocks.common import Reply, context, esc, text_reply
from bot.blocks.refusals import build_refusal
from bot.db import database_unreachable
from bot.deps import Deps
from bot.i18n import ENGLISH, LANGUAGES, N_, Lang, language
from bot.services.errors import NotFound, TurnoutError
from bot.services.members import Member
from bot.services.people import (
    PERMISSION_MAX_AGE,
    PROFILE_MAX_AGE,
    Profile,
    ensure_volunteer,
    find_volunteer_by_name,
    stored_profile,
    sync_volunteer,
)
from bot.services.roles import Actor
from bot.slack.workspaces import OneWorkspace
from bot.workpool import WorkPool
from handlers.parsing import UserRef

logger = logging.getLogger(__name__)
HELP_WORDS = frozenset({"help", "-h", "--help", "?"})
SORRY = N_("Something went wrong on Turnout's side and nothing was changed. Please try again in a minute.")
# A slash command the listener pool had no room for, said in every language Turnout speaks: its
# caller's is in the database, which a request turned away under load does not read.
BUSY = N_(
    "Turnout is too busy to take this right now, and nothing was changed. Please try again in a minute."
)
BUSY_TEXT = "\n".join(language(code)._(BUSY) for code in LANGUAGES)
UNREACHABLE = N_(
    "Turnout can't reach its database right now; nothing was changed. Please try again in a minute."
)


# Slack answers a post to a response_url at once. One that has not answered in this many
# seconds is given up on (the reply is logged and lost, as `say` says), so a response_url that
# takes the request and never answers holds a listener thread for seconds, not for the
# 30 s slack_sdk waits by default (twice that with its retry of a failed connection).
RESPONSE_URL_TIMEOUT = 10


class PromptRespond(Respond):
    """Bolt's `respond`, waiting at most `RESPONSE_URL_TIMEOUT` seconds for Slack's answer."""

    @classmethod
    def of(cls, respond: Respond) -> Respond:
        """`respond` made prompt, if it is Bolt's own."""
        if type(respond) is not Respond:
            return respond
        return cls(response_url=respond.response_url, proxy=respond.proxy, ssl=respond.ssl)

    def __call__(
        self,
        text: str | dict[str, Any] = "",
        blocks: Sequence[dict[str, Any] | Block] | None = None,
        attachments: Sequence[dict[str, Any] | Attachment] | None = None,
        response_type: str | None = None,
        replace_original: bool | None = None,
        delete_original: bool | None = None,
        unfurl_links: bool | None = None,
        unfurl_media: bool | None = None,
        thread_ts: str | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> WebhookResponse:
        if self.response_url is None or not isinstance(text, str) or thread_ts is not None:
            # What Turnout never sends: Bolt's own answer (or refusal) for it.
            return super().__call__(
                text=text,
                blocks=blocks,
                attachments=attachments,
                response_type=response_type,
                replace_original=replace_original,
                delete_original=delete_original,
                unfurl_links=unfurl_links,
                unfurl_media=unfurl_media,
                thread_ts=thread_ts,
                metadata=metadata,
            )
        client = WebhookClient(
            url=self.response_url, timeout=RESPONSE_URL_TIMEOUT, proxy=self.proxy, ssl=self.ssl
        )
        return client.send(
            text=text,
            blocks=blocks,
            attachments=attachments,
            response_type=response_type,
            replace_original=replace_original,
            delete_original=delete_original,
            unfurl_links=unfurl_links,
            unfurl_media=unfurl_media,
            metadata=metadata,
        )


def say(respond: Respond, reply: Reply, *, replace: bool = False) -> None:
    """An ephemeral answer through the request's response_url (replacing the clicked message if
    asked). One that cannot reach Slack (the connection refused or timed out, after slack_sdk's
    retry) is logged and lost, as one Slack refuses is: what it reports is done and stands, and
    what follows it (a host's DM, a channel post's redraw) still happens."""
    _said.count += 1
    try:
        respond(text=reply.text, blocks=reply.blocks, response_type="ephemeral", replace_original=replace)
    except (OSError, http.client.HTTPException) as error:
        logger.warning("a reply could not reach Slack's response_url: %s", error)
    except Exception:  # an answer Slack sent back that cannot be read, a request without a response_url
        logger.exception("a reply could not be sent through the response_url")


def with_note(reply: Reply, note: str) -> Reply:
    """`reply` with a one-line note on top: what the click just did. Pages leave room for it."""
    return Reply(note, [context(note), *reply.blocks])


def apology(error: BaseException, lang: Lang = ENGLISH) -> str:
    """What to tell someone whose request failed on Turnout's side."""
    return lang._(UNREACHABLE if database_unreachable(error) else SORRY)


# The language of a reply: known already, or looked up only when it is needed.
Speaking = Lang | Callable[[], Lang]


def speaking(lang: Speaking) -> Lang:
    return lang if isinstance(lang, Lang) else lang()


class _Said(threading.local):
    count = 0  # answers this thread has given (`say`)


_said = _Said()


@contextmanager
def answering(respond: Respond, lang: Speaking = ENGLISH) -> Iterator[None]:
    """Expected refusals become an ephemeral reply; anything else is logged and apologised for,
    in `lang` (the caller's language, or how to look it up), unless the answer has already
    gone: what it reported is done and stands (a claim whose host could not be told is still
    a claim), and "nothing was changed" after it would be untrue.

    Nothing may escape a listener that has acked: Bolt would then forget the ack and Slack
    would see no answer at all."""
    said = _said.count
    try:
        yield
    except TurnoutError as refusal:
        say(respond, build_refusal(refusal, speaking(lang)))
    except Exception as error:
        if _said.count != said:
            logger.exception("a listener failed after its answer had gone; what it answered stands")
            return
        logger.exception("unhandled error in a listener")
        try:
            say(respond, text_reply(apology(error, speaking(lang))))
        except Exception:
            logger.exception("could not tell the user about the error")


def team_of(deps: Deps, body: dict[str, Any]) -> str:
    """The workspace a request acts in. With one workspace, always that one: a payload naming
    another (a guest from a Slack Connect channel, say) still acts only there. In a coalition,
    the workspace Bolt has just authorized (found installed, its token in hand), read from the
    payload exactly as Bolt reads it: where a payload names two (a form opened through a Slack
    Connect channel carries `view.app_installed_team_id`, an event from a shared channel its
    `authorizations`), the one whose installation answers the request, never the other."""
    if isinstance(deps.workspaces, OneWorkspace):
        return deps.workspaces.team_id
    team = extract_team_id(body)
    if not team:
        raise TurnoutError("Slack did not say which workspace this came from; nothing was changed.")
    return str(team)


def member_of(deps: Deps, body: dict[str, Any], user_id: str | None = None) -> Member:
    """Who is acting: the request's person (`user_id`, else the payload's) in its workspace."""
    user = user_id or body.get("user_id") or (body.get("user") or {}).get("id") or ""
    return Member(team_of(deps, body), str(user))


def caller_lang(deps: Deps, who: Member) -> Lang:
    """The language `who` reads, as stored: English for someone never seen, and when the
    database cannot say (the apology for that must still reach them)."""
    try:
        with deps.read_session() as session:
            stored = stored_profile(session, who=who)
    except (sa_exc.SQLAlchemyError, psycopg.Error):
        return ENGLISH
    return language(stored[0].reads) if stored else ENGLISH


def submitter_lang(deps: Deps, body: dict[str, Any]) -> Lang:
    """The language of whoever sent `body`, as stored; English when the body does not say which
    workspace it came from (`caller_lang` already answers English when the database cannot say)."""
    try:
        who = member_of(deps, body)
    except TurnoutError:
        return ENGLISH
    return caller_lang(deps, who)


def reads(deps: Deps, who: Member) -> Callable[[], Lang]:
    """`answering`'s language for a reply to `who`, looked up only if a refusal needs it."""
    return lambda: caller_lang(deps, who)


def is_help(text: str) -> bool:
    return text.strip().lower() in HELP_WORDS


class _AfterReply(threading.local):
    """Per listener thread: who was found unknown or stale while answering, to refresh afterwards."""

    def __init__(self) -> None:
        self.unknown: set[Member] = set()
        self.stale: set[Member] = set()

    def clear(self) -> None:
        self.unknown.clear()
        self.stale.clear()


_after_reply = _AfterReply()


def profile_of(deps: Deps, client: WebClient, who: Member, *, for_permission: bool = False) -> Profile:
    """Who is acting, from the volunteer table that every worker shares; never waits on Slack
    for someone already known. A missing or old profile is refreshed from Slack after the reply
    (`refresh_profiles`); until then the person is shown by their mention.

    `for_permission`: the answer decides what the person may do, and whether they are a
    workspace admin only Slack can say, so a never-seen person, or one whose stored profile is
    older than `PERMISSION_MAX_AGE`, is asked about before answering. Rare: admin commands."""
    with deps.read_session() as session:
        stored = stored_profile(session, who=who)
    age = deps.clock() - stored[1] if stored is not None else None
    if for_permission and (age is None or age >= PERMISSION_MAX_AGE):
        fetched = deps.directory.profile(client, who)
        if fetched is not None:
            # Slack knows nothing of the language they chose in Turnout: that stays as stored.
            fetched = replace(fetched, language=stored[0].language if stored else None)
            with deps.session() as session:
                sync_volunteer(session, profile=fetched, now=deps.clock(), max_age=PERMISSION_MAX_AGE)
            return fetched
    return as_stored(deps, who, stored)


def acting_in(deps: Deps, session: Session, who: Member) -> tuple[Profile, Actor]:
    """`profile_of` and `enroll` in the caller's session: the person as stored (refreshed after
    the reply when missing or old), their volunteer row made if need be, and their rights. For
    the busiest commands, which need no word from Slack first: one transaction for everything."""
    return acting_as(deps, session, who, stored_profile(session, who=who))


def acting_as(
    deps: Deps, session: Session, who: Member, stored: tuple[Profile, datetime] | None
) -> tuple[Profile, Actor]:
    """`acting_in`, with the caller's stored profile already read (`stored_profile`, or with
    what else the command reads)."""
    profile = as_stored(deps, who, stored)
    return profile, enroll(deps, session, profile)


def seen(deps: Deps, who: Member, profile_updated_at: datetime | None) -> None:
    """A command that read only when the caller's stored profile was fetched (None: they were
    new to Turnout) has it refreshed from Slack after the reply when missing or old."""
    if profile_updated_at is None:
        _after_reply.unknown.add(who)
    elif deps.clock() - profile_updated_at >= PROFILE_MAX_AGE:
        _after_reply.stale.add(who)


def known_profile(deps: Deps, session: Session, who: Member) -> Profile:
    """`profile_of` in the caller's read session, for commands that need no word from Slack
    (refreshed after the reply when missing or old)."""
    return as_stored(deps, who, stored_profile(session, who=who))


def as_stored(deps: Deps, who: Member, stored: tuple[Profile, datetime] | None) -> Profile:
    """The caller's profile as stored (`stored`, read by the command with when it was fetched;
    None: new to Turnout, a blank one), refreshed from Slack after the reply when missing or old."""
    if stored is None:
        _after_reply.unknown.add(who)
        return Profile(team_id=who.team_id, user_id=who.user_id)
    profile, updated_at = stored
    if deps.clock() - updated_at >= PROFILE_MAX_AGE:
        _after_reply.stale.add(who)
    return profile


def enroll(deps: Deps, session: Session, profile: Profile) -> Actor:
    """The volunteer row exists (its profile filled in after the reply) and the admin right is decided."""
    if profile.member in _after_reply.unknown:
        ensure_volunteer(session, who=profile.member, now=deps.clock())
    admin = deps.directory.is_admin(profile)
    settings = deps.settings
    # With one workspace, its admins are the whole campaign's; a coalition names its own.
    campaign = settings.is_listed_campaign_admin(profile.team_id, profile.user_id) or (
        admin and not settings.distributed
    )
    return Actor(profile.team_id, profile.user_id, admin, campaign)


def refresh_profiles(deps: Deps, client: WebClient) -> None:
    """After the reply: the profiles this thread found missing or old go to be fetched from Slack."""
    people = sorted(_after_reply.unknown | _after_reply.stale, key=lambda who: (who.team_id, who.user_id))
    _after_reply.clear()
    if people:
        deps.profiles.refresh(deps, client, people)


def _ack_at_once(ack: Ack) -> None:
    ack()


def _run_guarded(
    work: Callable[..., None], values: dict[str, Any], args: Args, deps: Deps, respond: Respond | None = None
) -> None:
    # Bolt only logs a lazy function's exception; `handle_error` logs the trace and still answers.
    _after_reply.clear()
    if "respond" in values:
        values["respond"] = PromptRespond.of(values["respond"])
    try:
        work(**values)
    except Exception as error:
        handle_error(error, args.body, respond or PromptRespond.of(args.respond))
    finally:
        if isinstance(respond, _ReplyInAck):
            respond.work_done()
        refresh_profiles(deps, args.client)


def acked_then(work: Callable[..., None], deps: Deps) -> dict[str, Any]:
    """Listener options for Bolt: an empty ack at once, then `work` on the listener pool.

    The app runs with `process_before_response=True`, so Bolt calls the ack function on the
    HTTP request's own thread and answers Slack as soon as it returns, and hands lazy functions
    to the listener executor: an ack never queues behind other requests' work. (With
    `process_before_response=False` Bolt would submit the ack function to that same executor.)"""
    names = get_arg_names_of_callable(work)

    def run_after_ack(args: Args) -> None:
        _run_guarded(work, {name: getattr(args, name) for name in names}, args, deps)

    return {"ack": _ack_at_once, "lazy": [run_after_ack]}


# How long a slash command's ack waits for its work's first reply, to carry it; past this the
# ack goes out empty and the reply follows through the response_url.
REPLY_WAIT_SECONDS = 1.0
# Slack gives up on an ack 3 s after sending the request. Whatever the wait above, an ack goes
# no later than this long after the request's own timestamp (whole seconds, so at most this
# long after Slack sent it): a request that waited in the server's queue is acked at once.
ACK_DEADLINE_SECONDS = 2.0


class _NoAck(Ack):
    """The work's `ack`: the request's thread acks (with the reply, if it is ready in time)."""

    def __call__(self, *args: Any, **kwargs: Any) -> BoltResponse:
        return BoltResponse(status=200, body="")


class _ReplyInAck(Respond):
    """A slash command's `respond`: its first plain ephemeral reply, made before the ack has
    gone, goes back as the ack's body; any other reply, and every reply after the ack, goes
    through the response_url, in order (a later reply waits until the first has gone)."""

    def __init__(self, respond: Respond) -> None:
        super().__init__(response_url=respond.response_url, proxy=respond.proxy, ssl=respond.ssl)
        self._respond = PromptRespond.of(respond)
        self._lock = threading.Lock()
        self._reply: dict[str, Any] | None = None
        self._acked = False
        self.ready = threading.Event()  # a reply to carry, or the work is over
        self._sent = threading.Event()  # the ack has gone

    def __call__(
        self,
        text: str | dict[str, Any] = "",
        blocks: Sequence[dict[str, Any] | Block] | None = None,
        attachments: Sequence[dict[str, Any] | Attachment] | None = None,
        response_type: str | None = None,
        replace_original: bool | None = None,
        delete_original: bool | None = None,
        unfurl_links: bool | None = None,
        unfurl_media: bool | None = None,
        thread_ts: str | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> WebhookResponse:
        plain = (
            isinstance(text, str)
            and response_type in (None, "ephemeral")
            and not (attachments or replace_original or delete_original or thread_ts or metadata)
            and unfurl_links is None
            and unfurl_media is None
        )
        with self._lock:
            first = self._reply is None and not self._acked
            if plain and first:
                self._reply = {"text": text, "blocks": blocks, "response_type": "ephemeral"}
                self.ready.set()
                return WebhookResponse(url=self.response_url or "", status_code=200, body="ok", headers={})
        if not first:
            self._sent.wait(REPLY_WAIT_SECONDS + 1)
        return self._respond(
            text=text,
            blocks=blocks,
            attachments=attachments,
            response_type=response_type,
            replace_original=replace_original,
            delete_original=delete_original,
            unfurl_links=unfurl_links,
            unfurl_media=unfurl_media,
            thread_ts=thread_ts,
            metadata=metadata,
        )

    def work_done(self) -> None:
        self.ready.set()

    def seal(self) -> dict[str, Any] | None:
        """The reply to send with the ack, if there is one; every reply from now on is posted."""
        with self._lock:
            self._acked = True
            return self._reply

    def sent(self) -> None:
        self._sent.set()


def answered(work: Callable[..., None], deps: Deps, pool: WorkPool) -> dict[str, Any]:
    """Listener options for a slash command: `work` runs on `pool`, and when its first reply is
    ready within `REPLY_WAIT_SECONDS` that reply is the ack itself, one HTTP exchange instead of
    an empty ack and a POST to the response_url. When the work is slower, or the request
    already waited in the server's queue (`ACK_DEADLINE_SECONDS`), Slack is acked empty and the
    reply follows through the response_url. Either way the rest of the work (a profile to
    fetch, a channel post to redraw) carries on after the answer.

    The wait is on the request's own work only: an ack never queues behind other requests'
    work. The pool holds a bounded amount of work (`bot.workpool`): when it is full the request
    waits for room until its ack is due, and if none comes it is answered that Turnout is busy,
    with nothing done, so that under more load than the workers can answer the work waiting
    (and the memory it holds) stays bounded and every answer says what happened."""
    names = get_arg_names_of_callable(work)

    def ack_with_reply(args: Args) -> None:
        reply = _ReplyInAck(args.respond)
        values = {name: getattr(args, name) for name in names}
        values.update(
            {name: value for name, value in (("ack", _NO_ACK), ("respond", reply)) if name in names}
        )
        if not pool.admit(_ack_budget(args)):
            logger.warning("the listener pool is full: a %s was turned away", args.body.get("command"))
            busy = text_reply(BUSY_TEXT)
            args.ack(text=busy.text, blocks=busy.blocks, response_type="ephemeral")
            return
        pool.start_admitted(_run_guarded, work, values, args, deps, reply)
        wait = min(REPLY_WAIT_SECONDS, _ack_budget(args))
        if wait > 0:
            reply.ready.wait(wait)
        try:
            body = reply.seal()
            if body is None:
                args.ack()
            else:
                args.ack(**body)
        finally:
            reply.sent()

    return {"ack": ack_with_reply, "lazy": []}


def work_pool(app: App) -> WorkPool:
    """The pool Bolt runs `app`'s listeners on, as `bot.cli.app.build_app` makes it."""
    pool = app.listener_runner.listener_executor
    if not isinstance(pool, WorkPool):
        raise TypeError("the app's listener executor must be a bot.workpool.WorkPool")
    return pool


def _ack_budget(args: Args) -> float:
    """How much longer this request's ack may wait: until `ACK_DEADLINE_SECONDS` after Slack
    sent it (by Slack's timestamp, checked with the signature), and never longer than that from
    now (a clock ahead of this server's does not buy time)."""
    try:
        sent = int(args.request.headers["x-slack-request-timestamp"][0])
    except (KeyError, IndexError, ValueError):
        return 0.0
    return max(0.0, min(ACK_DEADLINE_SECONDS, sent + ACK_DEADLINE_SECONDS - time.time()))


_NO_ACK = _NoAck()  # type: ignore[no-untyped-call]  # Bolt's Ack.__init__ is unannotated


# How long after it arrives a form's ack goes at the latest (Slack gives up at 3 s).
ACK_WAIT_SECONDS = 2.5
# Of that, how long a form waits for a thread kept for forms when every one is busy.
FORM_PLACE_WAIT_SECONDS = 1.0
# A form turned away (every thread kept for forms busy, or its checks not done by the time its
# ack is due), said beside its first field in every language Turnout speaks (its submitter's
# is in the database, which is not read for it); a form's error is kept to 150 characters.
FORM_BUSY = N_("Turnout is busy; nothing was saved. Submit again in a minute.")
FORM_BUSY_TEXT = "\n".join(language(code)._(FORM_BUSY) for code in LANGUAGES)
# A form that failed after its ack: what it reported may be partly done.
FORM_UNFINISHED = N_(
    "Something went wrong on Turnout's side after your form was taken, so some of it may not "
    "have been done. Please check before sending it again."
)


class _TooLate(Exception):
    """A form's ack after the request stopped waiting for it (the form was answered that
    Turnout is busy): its work stops there, before anything is saved."""


def acked_by(work: Callable[..., None], deps: Deps, pool: WorkPool) -> dict[str, Any]:
    """Listener options for a listener whose ack depends on checking the request (a form's
    errors): `work` starts at once on `pool`'s threads kept for such work (`start_first`: a
    surge of commands waiting in the pool does not hold it up) and Slack is answered as soon
    as it calls ack, while the rest of its work carries on there.

    Every form is answered in time, and what it is told holds: with every kept thread busy past
    `FORM_PLACE_WAIT_SECONDS`, or its checks not done by `ACK_WAIT_SECONDS`, the form stays open
    saying Turnout is busy and nothing of it is done (a late ack stops its work); work that fails
    before its ack leaves the form open with an apology beside it; work that fails after it is
    reported to its submitter by DM as possibly unfinished."""
    names = get_arg_names_of_callable(work)

    def wait_for_ack(args: Args) -> None:
        deadline = time.monotonic() + ACK_WAIT_SECONDS
        turn = threading.Lock()
        state = {"acked": False, "late": False}
        answered = threading.Event()  # the ack is set, or the work is over

        def ack(*ack_args: Any, **ack_kwargs: Any) -> Any:
            with turn:
                if state["late"]:
                    raise _TooLate
                state["acked"] = True
            try:
                return args.ack(*ack_args, **ack_kwargs)
            finally:
                answered.set()

        def checked(**values: Any) -> None:
            try:
                work(**values)
            except _TooLate:
                logger.warning("a form's checks ended after its ack was due; it was told Turnout is busy")
            except Exception as error:
                with turn:
                    acked, late = state["acked"], state["late"]
                if late:
                    logger.exception("a form's checks failed after its ack was due")
                elif not acked:
                    logger.exception("a form's checks failed")
                    with suppress(_TooLate):
                        ack(**form_refusal(args.body, apology(error, submitter_lang(deps, args.body))))
                else:
                    logger.exception("a form failed after its ack")
                    try:
                        who = member_of(deps, args.body)
                        tell_user(args.client, who.user_id, caller_lang(deps, who)._(FORM_UNFINISHED))
                    except Exception:
                        logger.exception("could not tell the form's submitter about the error")

        def run() -> None:
            try:
                _run_guarded(
                    checked, {**{name: getattr(args, name) for name in names}, "ack": ack}, args, deps
                )
            finally:
                answered.set()

        if pool.start_first(run, FORM_PLACE_WAIT_SECONDS) is None:
            logger.warning("every thread kept for forms is busy: a form was turned away")
            args.ack(**form_refusal(args.body, FORM_BUSY_TEXT))
            return
        answered.wait(max(0.0, deadline - time.monotonic()))
        with turn:
            state["late"] = not state["acked"]
        if state["late"]:
            logger.warning("a form's checks were not done when its ack was due: it was told Turnout is busy")
            args.ack(**form_refusal(args.body, FORM_BUSY_TEXT))
            return
        answered.wait(1.0)  # acked this moment: its answer is being set

    return {"ack": wait_for_ack, "lazy": []}


def form_refusal(body: dict[str, Any], text: str) -> dict[str, Any]:
    """An ack that keeps the submitted form open with `text` beside its first field, so what
    was typed can be sent again; a form with no field is closed."""
    for block in (body.get("view") or {}).get("blocks") or ():
        if isinstance(block, dict) and block.get("type") == "input" and block.get("block_id"):
            return {"response_action": "errors", "errors": {str(block["block_id"]): text[:150]}}
    return {}


def handle_error(
    error: Exception,
    body: dict[str, Any],
    respond: Respond | None = None,
    client: WebClient | None = None,
    response: BoltResponse | None = None,
) -> BoltResponse | None:
    """The last resort: log with the trace, and still answer the person.

    `response` is set when the listener failed before acking: the request is then acked here
    (a form closes, its submitter is told by DM) instead of failing with a 500."""
    logger.exception("unhandled error in a listener", exc_info=error)
    text = apology(error)
    try:
        if respond is not None and (body.get("response_url") or body.get("response_urls")):
            say(PromptRespond.of(respond), text_reply(text))  # Bolt's own, for the app's error handler
        elif client is not None and body.get("type") == "view_submission":
            tell_user(client, str((body.get("user") or {}).get("id") or ""), text)
    except Exception:
        logger.exception("could not tell the user about the error")
    return BoltResponse(status=200, body="") if response is not None else None


def tell_user(client: WebClient, user_id: str, text: str) -> None:
    """A direct message for a request that has nowhere else to answer (a form, the App Home).
    Sent directly, not through a delivery record: it says the database could not be reached or
    something failed, so the database may be the one thing it cannot use."""
    if user_id:
        reply = text_reply(text)
        client.chat_postMessage(channel=user_id, text=reply.text, blocks=reply.blocks)


@dataclass(frozen=True)
class TurnoutRequest:
    """`/turnout NAME ARGS…` after the router has acked it: `args` are the words after NAME."""

    args: list[str]
    command: dict[str, Any]
    respond: Respond
    client: WebClient
    deps: Deps

    @property
    def user_id(self) -> str:
        return str(self.command["user_id"])

    @property
    def team_id(self) -> str:
        """The workspace the command acts in (`team_of`)."""
        return team_of(self.deps, self.command)

    @property
    def who(self) -> Member:
        return Member(self.team_id, self.user_id)

    @contextmanager
    def acting(self) -> Iterator[tuple[Session, Actor]]:
        """A write session and the acting person, their profile looked up before it opens."""
        profile = profile_of(self.deps, self.client, self.who, for_permission=True)
        # The caller's language is in the profile in hand: looked up inside the session, it
        # would take a second connection from the pool while this one is held.
        self.__dict__.setdefault("lang", language(profile.reads))
        with self.deps.session() as session:
            yield session, enroll(self.deps, session, profile)

    @cached_property
    def lang(self) -> Lang:
        """The language the caller reads (as stored), looked up once, when first needed."""
        return caller_lang(self.deps, self.who)

    def rest_after(self, count: int) -> str:
        """The raw text after the subcommand's first `count` argument words (spacing kept)."""
        parts = self.command["text"].strip().split(None, count + 1)
        return parts[count + 1] if len(parts) > count + 1 else ""


Subcommand = Callable[[TurnoutRequest], None]


NO_SUCH_PERSON = N_("I can't find that person in this workspace. Pick them from Slack's autocomplete.")


def resolve_user(request: TurnoutRequest, ref: UserRef) -> str:
    """A person's id, from a mention or a typed @name (known volunteers first, then the workspace).

    A mention carries an id anyone could type, so Slack is asked whether that person exists."""
    if ref.id:
        try:
            found = request.deps.directory.lookup(request.client, Member(request.team_id, ref.id))
        except SlackApiError as error:
            raise TurnoutError(
                N_("I couldn't check that person with Slack just now; nothing was changed. Please try again.")
            ) from error
        if found is None:
            raise NotFound(NO_SUCH_PERSON)
        with request.deps.session() as session:  # Slack just said who they are: keep it
            sync_volunteer(session, profile=found, now=request.deps.clock())
        return ref.id
    name = ref.name or ""
    with request.deps.read_session() as session:
        matches = find_volunteer_by_name(session, team_id=request.team_id, name=name)
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:  # never guess whom a role goes to
        raise NotFound(
            N_("Several people are called @{name}. Pick the one you mean from Slack's autocomplete."),
            name=esc(name[:40]),
        )
    user_id = request.deps.directory.user_id(request.client, name)
    if user_id is None:
        raise NotFound(
            N_("I can't find anyone called @{name}. Pick them from Slack's autocomplete."),
            name=esc(name[:40]),
        )
    return user_id
