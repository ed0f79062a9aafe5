from tests.e2e.backends import emulators  # noqa: F401  (session fixture)
