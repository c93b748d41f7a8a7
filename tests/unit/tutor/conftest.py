"""Fixtures of the tutor's unit tests."""

from __future__ import annotations

import pytest

from tests.unit.tutor.dialogue import Chat


@pytest.fixture
def chat() -> Chat:
    """A fresh learner with no mastery, no lesson texts and no exercise bank."""
    return Chat()
