from collections.abc import Iterator

import pytest

from tests.e2e.backends import emulators  # noqa: F401  (session fixture)
from tests.e2e.killing import kill_leftovers


@pytest.fixture(autouse=True)
def _no_process_outlives_its_test() -> Iterator[None]:
    yield
    kill_leftovers()
