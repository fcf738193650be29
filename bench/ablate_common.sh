# Sourced by the bench/ablate_*.sh scripts: builds `ablate`, sets ABLATE, SPEC, EXECUTOR and a
# temporary WORK directory removed on exit.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
swift build -c release --product ablate >/dev/null
ROOT="$PWD"
ABLATE="$ROOT/.build/release/ablate"
SPEC="${SPEC:-gamma}"
EXECUTOR="${EXECUTOR:-synthetic}"
export ABLATE_EXECUTOR="$EXECUTOR"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
