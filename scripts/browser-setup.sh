#!/usr/bin/env bash
# The notebook front end the browser tests drive (test-support/notebook-browser.ts starts it on
# 127.0.0.1, none left running), idempotent: Debian's classic Jupyter Notebook (6.4) and Chromium.
# playwright-core (a dev dependency) drives /usr/bin/chromium; it downloads no browser.
set -euo pipefail
log() { printf '[browser] %s\n' "$*" >&2; }
missing=()
/usr/bin/python3 -c 'import notebook.notebookapp' 2>/dev/null || missing+=(jupyter-notebook)
[ -x /usr/bin/chromium ] || missing+=(chromium)
if [ ${#missing[@]} -gt 0 ]; then
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq -o DPkg::Lock::Timeout=600 "${missing[@]}" >/dev/null
fi
