#!/usr/bin/env bash
# Wall time of the same quick sweep with --jobs 1 and --jobs 2 on fresh databases; prints the
# speed-up and the machine load (both cores must be idle for a meaningful figure).
#
#   bench/ablate_jobs_scaling.sh                  # test-only synthetic executor doing a fixed
#                                                 # amount of single-threaded CPU work per run
#   EXECUTOR=trainer bench/ablate_jobs_scaling.sh # the real trainer, once wired
#
# With the synthetic executor this measures the runner (process-per-run workers, SQLite claims,
# heartbeats) and the machine's parallelism, not training.
source "$(dirname "$0")/ablate_common.sh"
export ABLATE_SYNTHETIC_SPIN="${ABLATE_SYNTHETIC_SPIN:-25}"

echo "load before: $(uptime | sed 's/.*load average/load average/')"
declare -A T
for jobs in 1 2; do
  start=$(date +%s.%N)
  "$ABLATE" sweep "$SPEC" --profile quick --jobs "$jobs" --db "$WORK/jobs$jobs.sqlite" --quiet >/dev/null
  end=$(date +%s.%N)
  T[$jobs]=$(python3 -c "print(f'{$end - $start:.2f}')")
  runs=$(python3 -c "import sqlite3; print(sqlite3.connect('$WORK/jobs$jobs.sqlite').execute(\"select count(*) from runs where status='finished'\").fetchone()[0])")
  echo "sweep $SPEC --profile quick --jobs $jobs (executor $EXECUTOR): ${T[$jobs]} s for $runs runs"
done
python3 -c "print(f'speed-up --jobs 2 vs --jobs 1: {${T[1]} / ${T[2]}:.2f}x')"
echo "load after: $(uptime | sed 's/.*load average/load average/')"
