#!/usr/bin/env bash
# Stop the Mattermost server and PostgreSQL started by scripts/mattermost-up.sh (by their pids,
# nothing else), and with --wipe remove the state folder (database, logs, env file).
# Settings: see scripts/lib-e2e.sh. Safe to run when nothing is running.
set -euo pipefail
# shellcheck source=scripts/lib-e2e.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib-e2e.sh"

wipe=
for arg in "$@"; do
	case "$arg" in
	--wipe) wipe=1 ;;
	-h | --help)
		echo "usage: $0 [--wipe]"
		exit 0
		;;
	*) e2e_die "argument inconnu : $arg (usage : $0 [--wipe])" ;;
	esac
done

status=0
if [ -f "$E2E_STATE/mattermost.pid" ]; then
	pid=$(cat "$E2E_STATE/mattermost.pid")
	if e2e_is_mattermost "$pid"; then
		kill -TERM "$pid"
		for _ in $(seq 1 150); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		if kill -0 "$pid" 2>/dev/null; then
			e2e_log "Mattermost (pid $pid) ne s'arrête pas après 15 s : SIGKILL"
			kill -KILL "$pid" || true
		fi
		e2e_log "Mattermost arrêté (pid $pid)"
	fi
	rm -f "$E2E_STATE/mattermost.pid"
fi

if [ -f "$E2E_PGDIR/data/postmaster.pid" ]; then
	if PGBIN=$(e2e_pgbin); then
		if e2e_as_pg "$PGBIN/pg_ctl" -D "$E2E_PGDIR/data" status >/dev/null 2>&1; then
			e2e_as_pg "$PGBIN/pg_ctl" -D "$E2E_PGDIR/data" -m fast -w -t 60 stop >/dev/null || status=1
			e2e_log "PostgreSQL arrêté"
		fi
	else
		e2e_log "binaires PostgreSQL introuvables : impossible d'arrêter le cluster de $E2E_PGDIR"
		status=1
	fi
fi

if [ -n "$wipe" ] && [ -d "$E2E_STATE" ]; then
	if [ -e "$E2E_MARKER" ]; then
		rm -rf "$E2E_STATE"
		e2e_log "état supprimé : $E2E_STATE"
	else
		e2e_log "$E2E_STATE n'a pas la marque d'un état e2e : rien supprimé"
		status=1
	fi
fi
# an env file kept elsewhere would point at a stopped server
if [ -n "$wipe" ] && [ -f "$E2E_ENV_FILE" ]; then rm -f "$E2E_ENV_FILE"; fi
exit "$status"
