"""The Web API side: the client and its retry handlers, the people directory, pacing, and
exactly-once delivery of everything Turnout posts."""
