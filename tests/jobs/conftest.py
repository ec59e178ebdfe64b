"""Fixtures for the tests of delivery under faults."""

from tests.fastbot import fast_bot  # noqa: F401
