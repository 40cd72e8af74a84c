#!/bin/sh
# Benchmarks the maturity diagnostic: 200 simulated users at once through the
# engine and the bbolt store (in a temporary folder).
#   BenchmarkDiagnosticSteps        no pause: capacity (steps/s), latencies at saturation
#   BenchmarkDiagnosticStepsPaced   ~50 ms between clicks: the latency a user sees
# Target: p99 under 20 ms per step (p99-ms/step of the paced run).
# Usage: scripts/bench-diagnostic.sh [steps per run, default 20000] [count, default 3]
set -eu
cd "$(dirname "$0")/.."
steps=${1:-20000}
count=${2:-3}
go test -run '^$' -bench Diagnostic -benchtime="${steps}x" -count="$count" ./internal/... |
	awk '/^Benchmark/ {
		line = $1
		for (i = 3; i < NF; i += 2) line = line sprintf("  %s=%s", $(i+1), $i)
		print line
	} /^(FAIL|---|panic)/ { print }'
