# Shared settings of scripts/mattermost-up.sh and scripts/mattermost-down.sh (sourced, not run).
#
# Every setting can be overridden from the environment:
#   PARCOURS_E2E_CACHE    build cache; binaries in $PARCOURS_E2E_CACHE/bin  (~/.cache/parcours-e2e)
#   PARCOURS_E2E_STATE    PostgreSQL data, server run folder, logs, pids    (/tmp/parcours-e2e)
#   PARCOURS_E2E_ENV      the sourceable env file written by up             ($STATE/e2e.env)
#   PARCOURS_E2E_MM_PORT  Mattermost port on 127.0.0.1                      (8065, or the next free one)
#   PARCOURS_E2E_PG_PORT  PostgreSQL port on 127.0.0.1                      (5433, or the next free one)
#   PARCOURS_E2E_PGBIN    PostgreSQL server binaries    (newest /usr/lib/postgresql/*/bin)

E2E_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
E2E_MODDIR=$E2E_REPO/e2e/mmserver
E2E_CACHE=${PARCOURS_E2E_CACHE:-${HOME:-/root}/.cache/parcours-e2e}
E2E_BIN=$E2E_CACHE/bin
E2E_STATE=${PARCOURS_E2E_STATE:-/tmp/parcours-e2e}
E2E_ENV_FILE=${PARCOURS_E2E_ENV:-$E2E_STATE/e2e.env}
E2E_PGDIR=$E2E_STATE/pg
E2E_RUN=$E2E_STATE/run
# Marks a folder as ours, so that "down --wipe" never removes anything else.
E2E_MARKER=$E2E_STATE/.parcours-e2e-state

e2e_log() { echo "[e2e $(date -u +%T)] $*" >&2; }
e2e_die() {
	e2e_log "ERREUR: $*"
	exit 1
}

# e2e_pgbin prints the folder of the newest installed PostgreSQL server binaries.
e2e_pgbin() {
	if [ -n "${PARCOURS_E2E_PGBIN:-}" ]; then
		echo "$PARCOURS_E2E_PGBIN"
		return
	fi
	local d
	d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
	[ -n "$d" ] && [ -x "$d/initdb" ] || return 1
	echo "$d"
}

# e2e_as_pg runs a command as the postgres user when we are root (PostgreSQL refuses to run as root).
e2e_as_pg() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

# e2e_port_busy succeeds when something accepts connections on 127.0.0.1:$1.
e2e_port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# e2e_is_mattermost succeeds when pid $1 is alive and runs our mattermost binary
# (guards against killing an unrelated process that reused a stale pid).
e2e_is_mattermost() {
	local pid=$1 exe
	kill -0 "$pid" 2>/dev/null || return 1
	exe=$(readlink "/proc/$pid/exe" 2>/dev/null || true)
	case "$exe" in
	*/mattermost | */mattermost" (deleted)") return 0 ;;
	esac
	return 1
}

# e2e_running prints what of the environment in $E2E_STATE is running, if anything, and succeeds
# then. Scripts refuse to start over or wipe a running environment: it may be someone else's.
e2e_running() {
	local what="" pid pgbin
	if [ -f "$E2E_STATE/mattermost.pid" ]; then
		pid=$(cat "$E2E_STATE/mattermost.pid")
		e2e_is_mattermost "$pid" && what="Mattermost (pid $pid)"
	fi
	if [ -f "$E2E_PGDIR/data/postmaster.pid" ] && pgbin=$(e2e_pgbin) &&
		e2e_as_pg "$pgbin/pg_ctl" -D "$E2E_PGDIR/data" status >/dev/null 2>&1; then
		what="${what:+$what, }PostgreSQL (pid $(head -1 "$E2E_PGDIR/data/postmaster.pid"))"
	fi
	[ -n "$what" ] && echo "$what"
}
