#!/usr/bin/env bash
# Writes object crops of the built-in dataset at a scale and trains a small CNN on them (PyTorch).
# Usage: tools/recognition_probe.sh [SCALE] [EPOCHS]   (defaults 256, 8; a few minutes on one core)
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
echo "load before: $(uptime)"
FOCAL_CROPS_DIR="$out" FOCAL_CROPS_SCALE="${1:-256}" \
  swift test -c release --disable-swift-testing --filter ImbalanceReportTests.testExportRecognitionCrops 2>&1 | grep -E "error|passed|failed" | head -3 || true
echo "scale ${1:-256}:"
python3 tools/recognition_probe.py "$out" "${2:-8}"
echo "load after: $(uptime)"
