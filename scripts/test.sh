#!/usr/bin/env bash
# The test command: installs everything the tests need, then runs the whole suite.
# Uses the active virtualenv, or creates ./.venv when none is active.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${VIRTUAL_ENV:-}" ]; then
  if [ ! -x .venv/bin/python ]; then
    "${PYTHON:-python3}" -m venv .venv
  fi
  # shellcheck disable=SC1091
  source .venv/bin/activate
fi

python -m pip install --quiet --disable-pip-version-check -e ".[test]"

# Two workers; --dist loadfile keeps each module's shared fixtures on one worker, and
# --no-loadscope-reorder keeps the collection order tests/conftest.py sets (slow files first).
exec python -m pytest -n "${TEST_WORKERS:-2}" --dist loadfile --no-loadscope-reorder -p no:cacheprovider "$@"
