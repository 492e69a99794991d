#!/usr/bin/env bash
# Makes sure a PostgreSQL server answers on the test address (127.0.0.1:5432 unless
# OMBUD_TEST_POSTGRES_URL says otherwise): starts an installed cluster that is down, and
# installs PostgreSQL with apt where it is missing.
set -euo pipefail

host=127.0.0.1
port=5432

answers() {
  python3 - "$host" "$port" <<'PY'
import socket, sys
try:
    socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=1).close()
except OSError:
    sys.exit(1)
PY
}

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

if [ -n "${OMBUD_TEST_POSTGRES_URL:-}" ]; then
  echo "Using the PostgreSQL server of OMBUD_TEST_POSTGRES_URL."
  exit 0
fi

if answers; then
  exit 0
fi

installed_now=no
if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  echo "PostgreSQL is not installed; installing it with apt-get …"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  installed_now=yes
fi

version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)
if [ -z "$version" ]; then
  version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
  as_root pg_createcluster "$version" main
fi

if [ "$installed_now" = yes ]; then
  # A cluster this script installed lets local test connections in without a password.
  hba=/etc/postgresql/$version/main/pg_hba.conf
  as_root sed -i '1i host all all 127.0.0.1/32 trust' "$hba"
fi

echo "Starting PostgreSQL $version …"
as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
for _ in $(seq 1 30); do
  if answers; then
    echo "PostgreSQL is running on $host:$port."
    exit 0
  fi
  sleep 1
done
echo "PostgreSQL did not start on $host:$port; see /var/log/postgresql/." >&2
exit 1
