"""Fixtures shared by the tests."""

from __future__ import annotations

import pytest

from builders import model


@pytest.fixture
def make_model():
    return model
