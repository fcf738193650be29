#!/usr/bin/env bash
# Wall time of the same quick sweep with --jobs 1 and --jobs 2 on fresh databases; prints the
# speed-up and the machine load (both cores must be idle for a meaningful figure).
#
#   bench/ablate_jobs_scaling.sh                  # test-only synthetic executor doing a fixed
#                                                 # amount of single-threaded CPU work per run
#   EXECUTOR=trainer SPEC=bench/specs/jobs-scaling.json bench/ablate_jobs_scaling.sh
#                                                 # the real trainer: 4 small training runs
#   THREADS=1 …                                   # same threads per run for both (default:
#                                                 # cores / jobs, i.e. 2 threads at --jobs 1)
#
# With the synthetic executor this measures the runner (process-per-run workers, SQLite claims,
# heartbeats) and the machine's parallelism, not training.
source "$(dirname "$0")/ablate_common.sh"
export ABLATE_SYNTHETIC_SPIN="${ABLATE_SYNTHETIC_SPIN:-25}"

echo "load before: $(uptime | sed 's/.*load average/load average/')"
declare -A T
for jobs in 1 2; do
  start=$(date +%s.%N)
  "$ABLATE" sweep "$SPEC" --profile quick --jobs "$jobs" ${THREADS:+--threads "$THREADS"} --db "$WORK/jobs$jobs.sqlite" --quiet >/dev/null
  end=$(date +%s.%N)
  T[$jobs]=$(python3 -c "print(f'{$end - $start:.2f}')")
  runs=$(python3 -c "import sqlite3; print(sqlite3.connect('$WORK/jobs$jobs.sqlite').execute(\"select count(*) from runs where status='finished'\").fetchone()[0])")
  echo "sweep $SPEC --profile quick --jobs $jobs (executor $EXECUTOR, threads per run ${THREADS:-cores/jobs}): ${T[$jobs]} s for $runs runs"
done
python3 -c "print(f'speed-up --jobs 2 vs --jobs 1: {${T[1]} / ${T[2]}:.2f}x')"
echo "load after: $(uptime | sed 's/.*load average/load average/')"
