#!/usr/bin/env bash
# Exports the built-in val split (PNG and PPM) and checks it with Python's zlib and pycocotools.
# Usage: tools/check_export.sh [IMAGES]   (default 250; needs `pip install pycocotools`)
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
FOCAL_EXPORT_DIR="$out" FOCAL_EXPORT_IMAGES="${1:-250}" \
  swift test -c release --disable-swift-testing --filter ImbalanceReportTests.testExportForTools 2>&1 | grep -E "error|passed|failed" || true
python3 tools/check_export.py "$out"
