#!/usr/bin/env bash
# Runs experiments/slurm/sweep.sbatch locally as a 3-task "job array" (separate processes with
# the SLURM_* variables Slurm would set), then its MERGE=1 step, and checks that the merged table
# equals a single-process sweep's. Prints PASS or FAIL (exit 1).
#   bench/ablate_slurm_local.sh            # test-only synthetic executor
#   EXECUTOR=trainer bench/ablate_slurm_local.sh
source "$(dirname "$0")/ablate_common.sh"
export ABLATE_SYNTHETIC_SECONDS="${ABLATE_SYNTHETIC_SECONDS:-0.1}"
export SPEC ABLATE PROFILE=quick SHARDS="$WORK/shards" DB="$WORK/results.sqlite"

pids=()
for i in 0 1 2; do
  (cd "$ROOT" && SLURM_ARRAY_TASK_ID=$((10 + i)) SLURM_ARRAY_TASK_MIN=10 SLURM_ARRAY_TASK_COUNT=3 SLURM_CPUS_PER_TASK=1 \
     ROOT="$ROOT" bash experiments/slurm/sweep.sbatch >"$WORK/task$i.out" 2>&1) &
  pids+=($!)
done
for p in "${pids[@]}"; do wait "$p"; done
echo "3 array tasks done: $(ls "$WORK/shards"/*.sqlite | xargs -n1 basename | tr '\n' ' ')"
ROOT="$ROOT" MERGE=1 bash experiments/slurm/sweep.sbatch
"$ABLATE" sweep "$SPEC" --profile quick --jobs 2 --db "$WORK/single.sqlite" --quiet >/dev/null
table=$(python3 -c "import json; print(json.load(open('experiments/$SPEC.json'))['table'])")
"$ABLATE" table "$table" --db "$DB" --format csv > "$WORK/merged.csv"
"$ABLATE" table "$table" --db "$WORK/single.sqlite" --format csv > "$WORK/single.csv"
if cmp -s "$WORK/merged.csv" "$WORK/single.csv" && [[ -s "$WORK/merged.csv" ]]; then
  echo "merged table $table == single-sweep table ($(($(wc -l < "$WORK/merged.csv") - 1)) rows)"; echo PASS
else
  diff "$WORK/merged.csv" "$WORK/single.csv" || true; echo FAIL; exit 1
fi
