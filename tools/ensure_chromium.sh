#!/bin/bash
# Browser tests drive Debian's Chromium (Playwright cannot download its own browser here).
# Install it when missing; as root (CI, containers) through apt, otherwise say what to run.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's chromium for the browser tests..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
  exit 0
fi
echo "Chromium is not installed, so the browser tests will be skipped." >&2
echo "Install it with: sudo apt-get install chromium" >&2
