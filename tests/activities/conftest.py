import pytest

from tests.activities.clock import NOON


@pytest.fixture
def wednesday(freeze_time):
    return freeze_time(NOON)
