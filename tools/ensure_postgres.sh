#!/usr/bin/env bash
# Make sure a PostgreSQL server can be started for the gradebook tests (a throwaway cluster per
# test session: tests/postgres.py). As root with apt-get (CI, a container) it installs Debian's
# `postgresql` package and the unprivileged system user `gutbrain-pg` the test cluster runs as
# (PostgreSQL refuses to run as root); otherwise it says what to do. Exit 0 when initdb is here.
set -u
PG_USER=gutbrain-pg
have_initdb() { ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1; }
SUDO=""
if [ "$(id -u)" != "0" ] && command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo -n"; fi
privileged() { [ "$(id -u)" = "0" ] || [ -n "$SUDO" ]; }
if ! have_initdb; then
  if privileged && command -v apt-get >/dev/null 2>&1; then
    echo "installing postgresql (the class gradebook's database, for its tests)..."
    ($SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends postgresql) >/dev/null \
      || echo "ensure_postgres: apt-get install postgresql failed" >&2
  else
    echo "PostgreSQL is not installed: \`sudo apt-get install postgresql\` (Debian/Ubuntu). Without it the" \
         "PostgreSQL gradebook tests are skipped (they fail on CI)." >&2
    exit 1
  fi
fi
if [ "$(id -u)" = "0" ] && ! id -u "$PG_USER" >/dev/null 2>&1; then
  useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$PG_USER" \
    || { echo "ensure_postgres: could not create the user $PG_USER" >&2; exit 1; }
fi
have_initdb && exit 0
echo "ensure_postgres: initdb not found after installing postgresql" >&2
exit 1
