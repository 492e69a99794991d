#!/usr/bin/env bash
# Makes sure Debian's Chromium is installed for the browser tests (Playwright drives /usr/bin/chromium;
# it never downloads a browser of its own). Installs the `chromium` package with apt where it is missing.
set -euo pipefail

browser=${OMBUD_TEST_CHROMIUM:-/usr/bin/chromium}

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

if [ -x "$browser" ]; then
  exit 0
fi

if [ -n "${OMBUD_TEST_CHROMIUM:-}" ]; then
  echo "OMBUD_TEST_CHROMIUM=$browser is not an executable file." >&2
  exit 1
fi

echo "Chromium is not installed; installing Debian's chromium with apt-get …"
as_root apt-get update -qq
as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
if [ ! -x "$browser" ]; then
  echo "apt-get installed chromium, but $browser is not there." >&2
  exit 1
fi
echo "Chromium: $("$browser" --version 2>/dev/null || echo installed)"
