#!/bin/bash
# Browser tests drive Debian's Chromium (Playwright cannot download its own browser here) and
# inject axe-core (from npm, pinned in tools/browser/package-lock.json) for accessibility checks.
# 1. Install Chromium when missing; as root (CI, containers) through apt, otherwise say what to run.
# 2. Install axe-core into tools/browser/node_modules/ (git-ignored) when missing or not the pinned version.
# Safe to run again: it does nothing when both are already there.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
BROWSER_TOOLS="$HERE/browser"

if command -v chromium >/dev/null 2>&1; then
  :
elif [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's chromium for the browser tests..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
else
  echo "Chromium is not installed, so the browser tests will be skipped." >&2
  echo "Install it with: sudo apt-get install chromium" >&2
fi

# The version the lock file pins (the one source of truth), and the one installed, if any.
pinned="$(sed -n 's/^ *"axe-core": "\([0-9][^"]*\)".*/\1/p' "$BROWSER_TOOLS/package.json" | head -n 1)"
installed=""
if [ -f "$BROWSER_TOOLS/node_modules/axe-core/package.json" ]; then
  installed="$(sed -n 's/^ *"version": "\([^"]*\)".*/\1/p' "$BROWSER_TOOLS/node_modules/axe-core/package.json" | head -n 1)"
fi
if [ -f "$BROWSER_TOOLS/node_modules/axe-core/axe.min.js" ] && [ "$installed" = "$pinned" ]; then
  :
elif command -v npm >/dev/null 2>&1; then
  echo "Installing axe-core $pinned (accessibility checks) into tools/browser/node_modules/..."
  # npm ci installs exactly what package-lock.json records (and checks its integrity hash).
  npm ci --prefix "$BROWSER_TOOLS" --no-audit --no-fund --loglevel=error >/dev/null
else
  echo "npm is not installed, so the accessibility checks of the browser tests cannot run." >&2
  echo "Install Node.js and npm (e.g. sudo apt-get install npm), then run: bash tools/ensure_chromium.sh" >&2
fi
