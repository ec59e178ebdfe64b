"""A local stand-in for Slack, for `turnout shell` and the test suite.

`webapi.LocalSlack` serves the slice of the Web API Turnout uses on a loopback port, so the
real `WebClient` reaches it through `SLACK_API_URL`; `driver.SlackDriver` plays Slack's other
half, sending signed requests into the bot's WSGI app; `socketmode.SocketModeLink` is
Socket Mode's websocket; `reading` turns what the bot showed back into words and buttons.
"""

from bot.localslack.driver import Exchange, SlackDriver, TrackingExecutor
from bot.localslack.reading import block_texts, buttons, message_text
from bot.localslack.signing import signed_headers, slack_signature
from bot.localslack.socketmode import SocketModeLink
from bot.localslack.webapi import Channel, LocalSlack, Message, Person

__all__ = [
    "Channel",
    "Exchange",
    "LocalSlack",
    "Message",
    "Person",
    "SlackDriver",
    "SocketModeLink",
    "TrackingExecutor",
    "block_texts",
    "buttons",
    "message_text",
    "signed_headers",
    "slack_signature",
]
