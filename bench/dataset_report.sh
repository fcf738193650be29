#!/usr/bin/env bash
# Prints every figure of docs/DATASET.md (object statistics, anchors and imbalance per scale and
# anchor configuration, rendering/matching speed), with the machine load beside it.
# Usage: bench/dataset_report.sh        (from the package root; ~1 minute on an idle machine)
set -euo pipefail
cd "$(dirname "$0")/.."
echo "load before: $(uptime)"
FOCAL_DATASET_REPORT=1 swift test -c release --disable-swift-testing --filter ImbalanceReportTests.testPrintReport 2>&1 \
  | sed -n '/^### Objects/,/^Test Case .*testPrintReport/p' | grep -v '^Test Case'
echo "load after: $(uptime)"
