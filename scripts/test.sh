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

# The tests start their own redis-server and PostgreSQL (crm_crew/testing/servers.py) unless REDIS_URL /
# DATABASE_URL name servers to use; install the Debian packages when a needed binary is missing.
has_binary() {   # NAME DIR...: on PATH or in one of the DIRs
  local name=$1 dir
  shift
  command -v "$name" >/dev/null 2>&1 && return 0
  for dir in "$@"; do [ -x "$dir/$name" ] && return 0; done
  return 1
}
missing=()
if [ -z "${REDIS_URL:-}" ] && ! has_binary redis-server /usr/local/bin /usr/bin; then
  missing+=(redis-server)
fi
if [ -z "${DATABASE_URL:-}" ] && ! has_binary initdb /usr/local/bin /usr/lib/postgresql/*/bin; then
  missing+=(postgresql)
fi
# Prometheus (with promtool) and the Pushgateway for the metrics tests (crm_crew/testing/prom_servers.py).
if ! has_binary prometheus /usr/bin /usr/local/bin || ! has_binary promtool /usr/bin /usr/local/bin; then
  missing+=(prometheus)
fi
if ! has_binary prometheus-pushgateway /usr/bin /usr/local/bin; then
  missing+=(prometheus-pushgateway)
fi
# Dovecot for the mailbox tests (crm_crew/testing/mail_servers.py: its own config, user and certificate).
if ! has_binary dovecot /usr/sbin /usr/local/sbin; then
  missing+=(dovecot-imapd)
fi
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing ${missing[*]} for the tests' own servers..."
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null; } ||
      echo "warning: installing ${missing[*]} failed; the tests that need them will fail." >&2
  else
    echo "warning: the tests need ${missing[*]}: install it (apt-get install ${missing[*]}) or set" \
      "REDIS_URL / DATABASE_URL; the tests that need them fail until then." >&2
  fi
fi

# The run report is rendered in a real browser (tests/e2e/test_report.py): Debian's chromium, headless. Apart
# from the servers above, so that a failed browser install costs only that test (it then skips, saying why).
if ! has_binary chromium /usr/bin; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing chromium to render the run report in the tests..."
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } ||
      echo "warning: installing chromium failed; the report's browser test will skip." >&2
  else
    echo "warning: the report's browser test needs chromium (apt-get install chromium); it skips until then." >&2
  fi
fi

# Two workers; --dist loadfile keeps each module's shared fixtures on one worker, and
# --no-loadscope-reorder keeps the collection order tests/conftest.py sets (slow files first).
exec python -m pytest -n "${TEST_WORKERS:-2}" --dist loadfile --no-loadscope-reorder -p no:cacheprovider "$@"
