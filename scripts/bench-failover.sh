#!/usr/bin/env bash
# Measures the fail-over of two replicas on PostgreSQL against a real Mattermost on loopback:
# runs the end-to-end test TestTwoReplicasLeaderKilled (two `parcours serve` on one database,
# 20 users asking in direct messages, the replica reading the events killed with kill -9 mid-run)
# RUNS times and prints, for each run, how long after the kill the other replica led and
# answered a first question posted after the kill (goal < 10 s), and the longest wait for an
# answer.
#
#   scripts/bench-failover.sh                 starts Mattermost if needed, stops it after
#   PARCOURS_E2E_ENV=/tmp/x/e2e.env scripts/bench-failover.sh   uses a running environment
#   RUNS=5 scripts/bench-failover.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

runs=${RUNS:-3}
started_mm=
cleanup() { [ -n "$started_mm" ] && scripts/mattermost-down.sh >&2 || true; }
trap cleanup EXIT

env_file=${PARCOURS_E2E_ENV:-}
if [ -z "$env_file" ] || [ ! -f "$env_file" ]; then
	env_file=$(scripts/mattermost-up.sh)
	started_mm=1
fi
for i in $(seq "$runs"); do
	out=$(PARCOURS_E2E_ENV=$env_file go test -count=1 -tags e2e -run '^TestTwoReplicasLeaderKilled$' -v ./e2e/ 2>&1) || {
		echo "$out" >&2
		exit 1
	}
	echo "essai $i : $(echo "$out" | grep -o 'fail-over: .*')"
done
