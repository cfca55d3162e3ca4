#!/usr/bin/env bash
# Make sure bubblewrap (the sandbox `make grade` runs student code in) is installed and works.
# As root with apt-get (CI, a container, a grading VM) it installs the Debian package
# `bubblewrap`; otherwise it says what to do. Exit 0 when `bwrap` can create a sandbox here.
# As root the grader starts bwrap as an unprivileged uid (setpriv, util-linux): that is what is tried.
set -u
works() {
  command -v bwrap >/dev/null 2>&1 || return 1
  if [ "$(id -u)" = "0" ]; then
    command -v setpriv >/dev/null 2>&1 || return 1
    setpriv --reuid=2000000000 --regid=2000000000 --clear-groups --inh-caps=-all --bounding-set=-all \
      bwrap --unshare-all --die-with-parent --ro-bind / / true >/dev/null 2>&1
  else
    bwrap --unshare-all --die-with-parent --ro-bind / / true >/dev/null 2>&1
  fi
}
if works; then exit 0; fi
if ! command -v bwrap >/dev/null 2>&1 || { [ "$(id -u)" = "0" ] && ! command -v setpriv >/dev/null 2>&1; }; then
  SUDO=""
  if [ "$(id -u)" != "0" ] && command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo -n"; fi
  if { [ "$(id -u)" = "0" ] || [ -n "$SUDO" ]; } && command -v apt-get >/dev/null 2>&1; then
    echo "installing bubblewrap (the sandbox for grading student code)..."
    ($SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq bubblewrap util-linux) >/dev/null \
      || echo "ensure_bwrap: apt-get install bubblewrap util-linux failed" >&2
  else
    echo "bubblewrap is not installed: \`sudo apt-get install bubblewrap\` (Debian/Ubuntu) or" \
         "\`sudo dnf install bubblewrap\` (Fedora). \`make grade\` refuses to run student code without it." >&2
    exit 1
  fi
fi
if works; then exit 0; fi
echo "bubblewrap is installed but cannot create a sandbox here (user namespaces disabled?)." \
     "See docs/instructor_guide.md, 'Grading safely'. \`make grade\` will refuse." >&2
exit 1
