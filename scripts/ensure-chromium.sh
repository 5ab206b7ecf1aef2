#!/usr/bin/env bash
# Print the path of Chromium for the browser tests; install Debian's chromium with apt-get when it
# is missing (needs root). CHROMIUM_PATH, when set, is used as it is.
set -euo pipefail
if [ -n "${CHROMIUM_PATH:-}" ]; then echo "$CHROMIUM_PATH"; exit 0; fi
if command -v chromium >/dev/null 2>&1; then command -v chromium; exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "installing Debian's chromium for the browser test" >&2
  apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  command -v chromium
else
  echo "error: the browser test needs Chromium (apt-get install chromium) or CHROMIUM_PATH" >&2
  exit 1
fi
