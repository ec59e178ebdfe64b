"""`turnout shell`: the whole bot in a terminal, with the local Slack stand-in and a demo campaign."""
