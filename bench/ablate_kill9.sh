#!/usr/bin/env bash
# kill -9 in the middle of a quick sweep, then the same command again: the sweep completes,
# finished runs are not rerun, nothing is duplicated or lost. Prints PASS or FAIL (exit 1).
#
#   bench/ablate_kill9.sh                  # test-only synthetic executor (the trainer is not wired yet)
#   EXECUTOR=trainer bench/ablate_kill9.sh # the real trainer, once wired (KILL_AFTER may need raising)
#
# Kills the sweep AND its worker processes with SIGKILL (by pid, read from the database), so no
# process gets to record anything: the rerun must find the dead runs by their heartbeat/pid.
source "$(dirname "$0")/ablate_common.sh"
KILL_AFTER="${KILL_AFTER:-3}"
export ABLATE_SYNTHETIC_SECONDS="${ABLATE_SYNTHETIC_SECONDS:-0.8}"
DB="$WORK/results.sqlite"

q() { python3 - "$DB" "$1" <<'PY'
import sqlite3, sys
for row in sqlite3.connect(sys.argv[1]).execute(sys.argv[2]): print("|".join(map(str, row)))
PY
}

echo "sweep $SPEC --profile quick --jobs 2 (executor: $EXECUTOR); kill -9 after ${KILL_AFTER}s"
"$ABLATE" sweep "$SPEC" --profile quick --jobs 2 --db "$DB" --heartbeat 1 --quiet >/dev/null 2>&1 &
SWEEP=$!
sleep "$KILL_AFTER"
kill -STOP "$SWEEP"   # freeze the sweep so it cannot react while its workers die
WORKERS=$(q "select pid from runs where status = 'running'" | tr '\n' ' ')
kill -9 $WORKERS "$SWEEP" 2>/dev/null || true
wait "$SWEEP" 2>/dev/null || true
FINISHED_BEFORE=$(q "select id from runs where status = 'finished' order by id" | tr '\n' ' ')
echo "killed sweep $SWEEP and workers [$WORKERS]; state: $(q "select status || '=' || count(*) from runs group by status" | tr '\n' ' ')"

"$ABLATE" sweep "$SPEC" --profile quick --jobs 2 --db "$DB" --heartbeat 1 --quiet >/dev/null
PLANNED=$(q "select count(*) from sweep_runs where sweep = '$SPEC'")
FINISHED=$(q "select count(*) from runs where status in ('finished','diverged')")
RERUN_FINISHED=0
for id in $FINISHED_BEFORE; do
  RERUN_FINISHED=$((RERUN_FINISHED + $(q "select attempts - 1 from runs where id = '$id'")))
done
DUP_LOG=$(q "select count(*) from (select run_id, iteration from train_log group by run_id, iteration having count(*) > 1)")
ORPHANS=$(q "select count(*) from train_log where run_id not in (select id from runs)")
ROWS_PER_RUN=$(q "select count(distinct n) from (select count(*) as n from train_log group by run_id)")
EXTRA=$(q "select sum(attempts) - count(*) from runs")
echo "planned $PLANNED, with a result $FINISHED, reruns of runs finished before the kill $RERUN_FINISHED," \
     "extra attempts $EXTRA (the killed runs), duplicated log rows $DUP_LOG, orphan log rows $ORPHANS," \
     "distinct log lengths $ROWS_PER_RUN"
if [[ "$PLANNED" == "$FINISHED" && "$RERUN_FINISHED" == 0 && "$DUP_LOG" == 0 && "$ORPHANS" == 0 && "$ROWS_PER_RUN" == 1 \
      && -n "$WORKERS" && "$EXTRA" -le $(echo $WORKERS | wc -w) ]]; then
  echo PASS
else
  echo FAIL; exit 1
fi
