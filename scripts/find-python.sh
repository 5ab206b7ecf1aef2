#!/usr/bin/env bash
# Print the path of a Python 3.10 interpreter (Rasa 3.6 needs 3.10), or fail with a hint.
# Order: $PYTHON if set, `python3.10` on PATH, then a 3.10 known to pyenv.
set -euo pipefail
is310() { "$1" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 10) else 1)' >/dev/null 2>&1; }
if [ -n "${PYTHON:-}" ] && is310 "$PYTHON"; then echo "$PYTHON"; exit 0; fi
if command -v python3.10 >/dev/null 2>&1 && is310 python3.10; then command -v python3.10; exit 0; fi
if command -v pyenv >/dev/null 2>&1; then
  v=$(pyenv versions --bare 2>/dev/null | grep -E '^3\.10(\.[0-9]+)?$' | sort -V | tail -n 1 || true)
  if [ -n "$v" ]; then
    p="$(pyenv root)/versions/$v/bin/python"
    if is310 "$p"; then echo "$p"; exit 0; fi
  fi
fi
echo "error: Python 3.10 not found. Install it (e.g. 'pyenv install 3.10' or your OS package python3.10)," >&2
echo "       or point PYTHON=/path/to/python3.10 at it." >&2
exit 1
