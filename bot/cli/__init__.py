"""The `turnout` command and the app factory: the only place that wires handlers and jobs together."""
