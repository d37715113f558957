#!/usr/bin/env bash
# Make sure the system packages a component needs are present: installs them when running as
# root, otherwise prints the one apt-get line to run and stops.
#   scripts/ensure_system.sh weasyprint chromium
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
for component in "$@"; do
  case "$component" in
    weasyprint)
      # WeasyPrint loads pango and harfbuzz when imported: the import tells whether they are there.
      .venv/bin/python -c "import weasyprint" >/dev/null 2>&1 \
        || missing+=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core) ;;
    chromium)
      [ -x /usr/bin/chromium ] || missing+=(chromium fonts-dejavu-core) ;;
    *) echo "unknown component: $component" >&2; exit 2 ;;
  esac
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
  echo "Installing system packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1 \
    || { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; }
else
  echo "Missing system packages. Install them with:"
  echo "  sudo apt-get install -y --no-install-recommends ${missing[*]}"
  exit 1
fi
