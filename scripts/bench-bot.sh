#!/usr/bin/env bash
# Measures the Mattermost bot against a real Mattermost on loopback: 20 users
# ask in direct messages at the same moment, 10 times; prints the time from
# each question's post to the bot's reply (p50, p99; targets 250 ms and 1 s)
# and the bot's peak memory (VmHWM of its process; target < 100 MB).
#
#   scripts/bench-bot.sh                  starts Mattermost if needed, stops it after
#   PARCOURS_E2E_ENV=/tmp/x/e2e.env scripts/bench-bot.sh   uses a running environment
#   BENCH_USERS=50 BENCH_ROUNDS=5 scripts/bench-bot.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

users=${BENCH_USERS:-20}
rounds=${BENCH_ROUNDS:-10}
work=$(mktemp -d)
bot_pid=
started_mm=
cleanup() {
	if [ -n "$bot_pid" ] && kill -0 "$bot_pid" 2>/dev/null; then
		kill -TERM "$bot_pid"
		wait "$bot_pid" 2>/dev/null || true
	fi
	[ -n "$started_mm" ] && scripts/mattermost-down.sh >&2 || true
	rm -rf "$work"
}
trap cleanup EXIT

env_file=${PARCOURS_E2E_ENV:-}
if [ -z "$env_file" ] || [ ! -f "$env_file" ]; then
	env_file=$(scripts/mattermost-up.sh)
	started_mm=1
fi

go build -o "$work/parcours" ./cmd/parcours
go build -o "$work/loadtest" ./e2e/loadtest

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
(
	set -a
	. "$env_file"
	set +a
	export PARCOURS_MM_URL="$MM_URL" PARCOURS_MM_TOKEN="$MM_BOT_TOKEN" \
		PARCOURS_LISTEN="127.0.0.1:$port" PARCOURS_PUBLIC_URL="http://127.0.0.1:$port" \
		PARCOURS_DATA_DIR="$work/data" PARCOURS_LOG_LEVEL=warn PARCOURS_RATE_LIMIT=0
	exec "$work/parcours" serve
) 2>"$work/bot.log" &
bot_pid=$!

for _ in $(seq 100); do
	curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
	kill -0 "$bot_pid" 2>/dev/null || { cat "$work/bot.log" >&2; exit 1; }
	sleep 0.1
done
curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null || { echo "le bot n'est pas prêt" >&2; cat "$work/bot.log" >&2; exit 1; }
echo "bot prêt (pid $bot_pid, mémoire au démarrage $(awk '/VmHWM/ {printf "%.1f Mo", $2/1024}' "/proc/$bot_pid/status"))"

"$work/loadtest" -env "$env_file" -users "$users" -rounds "$rounds"

awk '/VmHWM/ {printf "mémoire max du bot (VmHWM) : %.1f Mo (objectif < 100 Mo)\n", $2/1024}' "/proc/$bot_pid/status"
curl -fsS "http://127.0.0.1:$port/metrics" | grep -E '^parcours_answer_seconds_(sum|count)|^parcours_questions_total' || true
if grep -q '"level":"error"' "$work/bot.log"; then
	echo "erreurs dans le journal du bot :" >&2
	grep '"level":"error"' "$work/bot.log" | head -5 >&2
fi
