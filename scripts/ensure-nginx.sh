#!/usr/bin/env bash
# Make sure Debian's nginx is installed for `make test-scale` / `make bench-scale`. Installs the
# package with apt-get when missing (needs root); never starts the system's nginx service (the
# scale test runs its own nginx in the foreground with its own configuration).
set -euo pipefail
if command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; then exit 0; fi
if [ "$(id -u)" != 0 ]; then
  echo "nginx is missing; install it with: sudo apt-get install nginx" >&2
  exit 1
fi
echo "installing Debian's nginx package (apt-get) ..."
policy=/usr/sbin/policy-rc.d
created_policy=0
if [ ! -e "$policy" ]; then
  # keep invoke-rc.d from starting the system service during the install
  printf '#!/bin/sh\nexit 101\n' >"$policy"
  chmod +x "$policy"
  created_policy=1
fi
trap '[ "$created_policy" = 1 ] && rm -f "$policy"' EXIT
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends nginx >/dev/null
/usr/sbin/nginx -v
