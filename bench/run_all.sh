#!/bin/sh
# Run every benchmark for both deployments and print a markdown table.
#
#   bench/run_all.sh [RESULTS_FILE]
#
# Environment: SHARES (500), CONCURRENCY (8), REPEAT (3), READ_SHARES (1000),
# REQUESTS (200), ROUNDS (3). The RESULT lines are kept in RESULTS_FILE (default: a
# new file under /tmp, named at the end). The split deployment needs this machine's
# RabbitMQ and PostgreSQL (started if stopped, and stopped again afterwards).
set -eu
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
OUT=${1:-$(mktemp /tmp/abaca-bench-XXXXXX.jsonl)}
: > "$OUT"

echo "# $(date -u '+%Y-%m-%dT%H:%M:%SZ') load: $(cut -d' ' -f1-3 /proc/loadavg)" \
    "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)" >&2
for deployment in aio split; do
    "$PY" bench/create_throughput.py --deployment "$deployment" --shares "${SHARES:-500}" \
        --concurrency "${CONCURRENCY:-8}" --repeat "${REPEAT:-3}" | tee -a "$OUT"
    "$PY" bench/read_latency.py --deployment "$deployment" --shares "${READ_SHARES:-1000}" \
        --requests "${REQUESTS:-200}" --rounds "${ROUNDS:-3}" | tee -a "$OUT"
done
# PostgreSQL as this machine leaves it (autovacuum off): no planner statistics.
"$PY" bench/read_latency.py --deployment split --no-analyze --shares "${READ_SHARES:-1000}" \
    --requests "${REQUESTS:-200}" --rounds "${ROUNDS:-3}" | tee -a "$OUT"
echo "# $(date -u '+%Y-%m-%dT%H:%M:%SZ') load: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
echo
"$PY" bench/report.py "$OUT"
echo "# results: $OUT" >&2
