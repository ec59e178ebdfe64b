"""The stand-in serves several workspaces as Slack does: each bot token acts in its own workspace
only, installs go through OAuth, and faults can be aimed at one workspace."""

from __future__ import annotations

import base64
import json
import urllib.request
from collections.abc import Iterator
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.localslack.webapi import TEAM_ID, LocalSlack

CLIENT_ID, SECRET = "1.2", "shh"
AUTHORIZE = "/oauth/v2/authorize?" + urlencode(
    {"client_id": CLIENT_ID, "scope": "commands,chat:write", "state": "s1"}
)


@pytest.fixture
def slack() -> Iterator[LocalSlack]:
    stand_in = LocalSlack(token="xoxb-home").start()
    stand_in.add_person("UHOME", "hal")
    stand_in.add_channel("CHOME", "general")
    stand_in.add_workspace("T0A", "Alpha", "alpha", token="xoxb-alpha")
    stand_in.add_person("UA1", "ana", team="T0A", is_admin=True)
    stand_in.add_channel("CA", "iowa", team="T0A")
    stand_in.add_workspace("T0B", "Beta")
    stand_in.add_person("UB1", "ben", team="T0B", is_admin=True)
    stand_in.add_channel("CB", "iowa", team="T0B")
    yield stand_in
    stand_in.stop()


def client(slack: LocalSlack, token: str | None) -> WebClient:
    return WebClient(token=token, base_url=slack.api_url, retry_handlers=[])


def error_of(call: object) -> str:
    with pytest.raises(SlackApiError) as raised:
        call()  # type: ignore[operator]
    return str(raised.value.response["error"])


def install(slack: LocalSlack, team: str, **access: str) -> dict[str, object]:
    back = urlsplit(slack.consent(slack.base_url + AUTHORIZE, team, "UB1"))
    code = parse_qs(back.query)["code"][0]
    return (
        client(slack, None)
        .oauth_v2_access(client_id=CLIENT_ID, client_secret=SECRET, code=code, **access)
        .data
    )  # type: ignore[return-value]


def test_auth_test_and_team_info_answer_for_the_tokens_own_workspace(slack: LocalSlack) -> None:
    alpha = client(slack, "xoxb-alpha")
    assert alpha.auth_test()["team_id"] == "T0A" and alpha.auth_test()["team"] == "Alpha"
    assert client(slack, "xoxb-home").auth_test()["team_id"] == TEAM_ID
    team = alpha.team_info()["team"]
    assert (team["id"], team["name"], team["domain"]) == ("T0A", "Alpha", "alpha")
    assert error_of(lambda: alpha.team_info(team="T0B")) == "team_not_found"


def test_a_token_cannot_reach_another_workspaces_channels_or_people(slack: LocalSlack) -> None:
    alpha = client(slack, "xoxb-alpha")
    assert alpha.chat_postMessage(channel="CA", text="hi")["ok"]
    assert error_of(lambda: alpha.chat_postMessage(channel="CHOME", text="hi")) == "channel_not_found"
    assert error_of(lambda: alpha.chat_postMessage(channel="UB1", text="hi")) == "channel_not_found"
    assert error_of(lambda: alpha.users_info(user="UHOME")) == "user_not_found"
    assert error_of(lambda: alpha.conversations_open(users="UB1")) == "user_not_found"
    assert error_of(lambda: alpha.conversations_history(channel="CB")) == "channel_not_found"
    posted = client(slack, "xoxb-home").chat_postMessage(channel="CHOME", text="home")
    assert (
        error_of(lambda: alpha.chat_update(channel="CHOME", ts=posted["ts"], text="x")) == "channel_not_found"
    )
    assert [m.text for m in slack.posts_in("CHOME")] == ["home"]
    # Each was the wrong workspace's token: recorded, so the `slack` fixture fails such a test.
    assert {(r.method, r.error) for r in slack.refusals} == {
        ("chat.postMessage", "channel_not_found"),
        ("users.info", "user_not_found"),
        ("conversations.open", "user_not_found"),
        ("conversations.history", "channel_not_found"),
        ("chat.update", "channel_not_found"),
    }


def test_lists_hold_only_the_tokens_own_workspace(slack: LocalSlack) -> None:
    alpha = client(slack, "xoxb-alpha")
    assert [m["id"] for m in alpha.users_list()["members"]] == ["UA1"]
    assert [c["id"] for c in alpha.conversations_list()["channels"]] == ["CA"]
    assert alpha.users_info(user="UA1")["user"]["team_id"] == "T0A"


def test_tokens_slack_does_not_know_are_refused(slack: LocalSlack) -> None:
    assert error_of(lambda: client(slack, None).auth_test()) == "not_authed"
    assert error_of(lambda: client(slack, "xoxb-made-up").auth_test()) == "invalid_auth"


def test_an_install_mints_the_workspaces_token(slack: LocalSlack) -> None:
    slack.enable_oauth(CLIENT_ID, SECRET)
    access = install(slack, "T0B")
    token = str(access["access_token"])
    assert access["team"] == {"id": "T0B", "name": "Beta"} and access["token_type"] == "bot"
    assert access["authed_user"] == {"id": "UB1"} and access["scope"] == "commands,chat:write"
    assert access["bot_user_id"] == slack.workspace("T0B").bot_user_id
    assert client(slack, token).auth_test()["team_id"] == "T0B"
    assert install(slack, "T0B")["access_token"] == token  # installing again: the same token


def test_an_uninstall_revokes_the_token_and_a_new_install_mints_another(slack: LocalSlack) -> None:
    slack.enable_oauth(CLIENT_ID, SECRET)
    token = str(install(slack, "T0B")["access_token"])
    slack.uninstall("T0B")
    assert error_of(lambda: client(slack, token).chat_postMessage(channel="CB", text="x")) == "token_revoked"
    again = str(install(slack, "T0B")["access_token"])
    assert again != token and client(slack, again).auth_test()["team_id"] == "T0B"


def test_oauth_v2_access_checks_the_apps_credentials_the_code_and_the_redirect(slack: LocalSlack) -> None:
    slack.enable_oauth(CLIENT_ID, SECRET, "https://turnout.example.org/slack/oauth_redirect")
    anonymous = client(slack, None)

    def code(redirect_uri: str | None = None) -> str:
        query = {"client_id": CLIENT_ID, "scope": "commands"}
        if redirect_uri:
            query["redirect_uri"] = redirect_uri
        back = slack.consent(f"{slack.base_url}/oauth/v2/authorize?{urlencode(query)}", "T0B", "UB1")
        return parse_qs(urlsplit(back).query)["code"][0]

    assert error_of(
        lambda: anonymous.oauth_v2_access(client_id="9.9", client_secret=SECRET, code=code())
    ) == ("invalid_client_id")
    assert error_of(
        lambda: anonymous.oauth_v2_access(client_id=CLIENT_ID, client_secret="no", code=code())
    ) == ("bad_client_secret")
    assert error_of(
        lambda: anonymous.oauth_v2_access(client_id=CLIENT_ID, client_secret=SECRET, code="nope")
    ) == ("invalid_code")
    used = code()
    assert anonymous.oauth_v2_access(client_id=CLIENT_ID, client_secret=SECRET, code=used)["ok"]
    assert error_of(
        lambda: anonymous.oauth_v2_access(client_id=CLIENT_ID, client_secret=SECRET, code=used)
    ) == ("invalid_code")
    redirect = "https://turnout.example.org/slack/oauth_redirect"
    assert error_of(
        lambda: anonymous.oauth_v2_access(client_id=CLIENT_ID, client_secret=SECRET, code=code(redirect))
    ) == ("bad_redirect_uri")
    with pytest.raises(ValueError, match="not the app's"):
        code("https://elsewhere.example.org/cb")


def test_credentials_travel_as_http_basic(slack: LocalSlack) -> None:
    slack.enable_oauth(CLIENT_ID, SECRET)
    back = urlsplit(slack.consent(slack.base_url + AUTHORIZE, "T0B", "UB1"))
    basic = base64.b64encode(f"{CLIENT_ID}:{SECRET}".encode()).decode()
    request = urllib.request.Request(
        slack.api_url + "oauth.v2.access",
        data=urlencode({"code": parse_qs(back.query)["code"][0]}).encode(),
        headers={"Authorization": f"Basic {basic}"},
    )
    with urllib.request.urlopen(request) as answered:
        assert json.load(answered)["team"]["id"] == "T0B"


def test_the_consent_page_approves_and_sends_the_browser_back(slack: LocalSlack) -> None:
    slack.enable_oauth(CLIENT_ID, SECRET, "http://127.0.0.1:9/slack/oauth_redirect")

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: object, **kwargs: object) -> None:
            return None

    opener = urllib.request.build_opener(NoRedirect)
    with pytest.raises(urllib.error.HTTPError) as answered:
        opener.open(slack.base_url + AUTHORIZE + "&team=T0B")
    location = urlsplit(answered.value.headers["Location"])
    assert answered.value.code == 302 and location.path == "/slack/oauth_redirect"
    query = parse_qs(location.query)
    assert query["state"] == ["s1"] and query["code"]


def test_a_cancelled_consent_sends_the_browser_back_with_access_denied(slack: LocalSlack) -> None:
    slack.enable_oauth(CLIENT_ID, SECRET)
    back = parse_qs(urlsplit(slack.consent(slack.base_url + AUTHORIZE, "T0B", "UB1", allow=False)).query)
    assert back == {"error": ["access_denied"], "state": ["s1"]}


def test_faults_can_be_aimed_at_one_workspace(slack: LocalSlack) -> None:
    slack.fail_next("chat.postMessage", 500, times=5, team="T0A", error="fatal_error")
    assert client(slack, "xoxb-home").chat_postMessage(channel="CHOME", text="fine")["ok"]
    assert (
        error_of(lambda: client(slack, "xoxb-alpha").chat_postMessage(channel="CA", text="x"))
        == "fatal_error"
    )
    assert len(slack.calls_to("chat.postMessage", team="T0A")) == 1
    assert len(slack.calls_to("chat.postMessage", team=TEAM_ID)) == 1


def test_each_workspace_has_its_own_posting_limit(slack: LocalSlack) -> None:
    slack.limit_posts(per_channel_interval=0.0, workspace_per_second=1)
    home, alpha = client(slack, "xoxb-home"), client(slack, "xoxb-alpha")
    assert home.chat_postMessage(channel="CHOME", text="1")["ok"]
    assert alpha.chat_postMessage(channel="CA", text="1")["ok"]  # not held up by home's post
    with pytest.raises(SlackApiError) as limited:
        home.chat_postMessage(channel="CHOME", text="2")
    assert limited.value.response.status_code == 429


def test_mentioning_someone_from_another_workspace_is_a_warning(slack: LocalSlack) -> None:
    alpha = client(slack, "xoxb-alpha")
    alpha.chat_postMessage(channel="CA", text="<@UA1> and <@UNOBODY> are coming")
    assert slack.warnings == []
    alpha.chat_postMessage(
        channel="CA",
        text="Roster",
        blocks=[{"type": "section", "text": {"type": "mrkdwn", "text": "<@UB1>"}}],
    )
    assert slack.warnings == [
        "chat.postMessage: mentions <@UB1> of T0B in T0A: Slack would show an unknown user"
    ]


def test_ids_are_unique_across_workspaces(slack: LocalSlack) -> None:
    with pytest.raises(AssertionError, match="UA1 is in T0A"):
        slack.add_person("UA1", "again", team="T0B")
    with pytest.raises(AssertionError, match="exists already"):
        slack.add_workspace("T0A", "Alpha again")
