#!/usr/bin/env bash
# Build (cached), start and provision a real Mattermost server for the end-to-end tests.
#
# Everything listens on 127.0.0.1 only: a private PostgreSQL cluster and a Mattermost server built
# from the versions pinned in e2e/mmserver/go.mod. Provisioning creates (or reuses):
#   users admin (system admin), alice, bob; team "parcours-e2e"; channel "bots";
#   bot account "parcours" ("Parcours") with an access token and the team_admin role;
# alice, bob, admin and the bot are members of the team and of "bots".
# Writes a sourceable env file (printed at the end; default $PARCOURS_E2E_STATE/e2e.env) and
# prints its path on stdout. Stop with scripts/mattermost-down.sh [--wipe].
#
# Needs: go, curl, jq, PostgreSQL server binaries (Debian: apt-get install -y postgresql).
# Settings: see scripts/lib-e2e.sh. The cold build takes 3-10 minutes (about 1.2 GB of memory).
set -euo pipefail
# shellcheck source=scripts/lib-e2e.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib-e2e.sh"

for tool in go curl jq; do
	command -v "$tool" >/dev/null || e2e_die "$tool est introuvable (Debian : apt-get install -y $tool)"
done
PGBIN=$(e2e_pgbin) || e2e_die "PostgreSQL introuvable dans /usr/lib/postgresql/*/bin (Debian : apt-get install -y postgresql) ; ou PARCOURS_E2E_PGBIN=<dossier des binaires>"
if [ "$(id -u)" = 0 ]; then
	id postgres >/dev/null 2>&1 || e2e_die "en root, l'utilisateur système postgres est nécessaire (apt-get install -y postgresql)"
fi

# ---------- 1. build, cached by a stamp of the pinned versions ----------
stamp_of() {
	{
		cat "$E2E_MODDIR/go.mod" "$E2E_MODDIR/go.sum"
		go version
	} | sha256sum | cut -d' ' -f1
}
want=$(stamp_of)
have=$(cat "$E2E_BIN/.stamp" 2>/dev/null || true)
build_env=(GONOSUMDB=github.com/mattermost/mattermost GOFLAGS="-mod=readonly -buildvcs=false")
if [ "$want" != "$have" ] || [ ! -x "$E2E_BIN/mattermost" ] || [ ! -x "$E2E_BIN/mmctl" ]; then
	e2e_log "construction de mattermost + mmctl (versions de e2e/mmserver/go.mod ; à froid 3 à 10 min, ~1,2 Go de mémoire)"
	mkdir -p "$E2E_BIN"
	rm -rf "$E2E_BIN/.new"
	t0=$(date +%s)
	(cd "$E2E_MODDIR" && env "${build_env[@]}" go build -o "$E2E_BIN/.new/" \
		github.com/mattermost/mattermost/server/v8/cmd/mattermost \
		github.com/mattermost/mattermost/server/v8/cmd/mmctl) ||
		e2e_die "échec de la construction de Mattermost (module e2e/mmserver)"
	mv -f "$E2E_BIN/.new/mattermost" "$E2E_BIN/.new/mmctl" "$E2E_BIN/"
	rmdir "$E2E_BIN/.new"
	echo "$want" >"$E2E_BIN/.stamp"
	e2e_log "construit en $(($(date +%s) - t0)) s : $E2E_BIN"
fi
MODDIR=$(cd "$E2E_MODDIR" && env "${build_env[@]}" go list -m -f '{{.Dir}}' github.com/mattermost/mattermost/server/v8)
[ -d "$MODDIR/i18n" ] || e2e_die "dossier i18n introuvable dans $MODDIR"

# ---------- 2. state folder, never one in use ----------
if [ -e "$E2E_STATE" ] && [ ! -e "$E2E_MARKER" ] && [ -n "$(ls -A "$E2E_STATE" 2>/dev/null)" ]; then
	e2e_die "$E2E_STATE existe et n'est pas un dossier d'état e2e : choisissez un autre PARCOURS_E2E_STATE"
fi
if running=$(e2e_running); then
	e2e_die "un environnement tourne déjà dans $E2E_STATE : $running. Arrêtez-le (scripts/mattermost-down.sh) s'il est à vous, ou prenez un autre PARCOURS_E2E_STATE"
fi
mkdir -p "$E2E_STATE" "$E2E_PGDIR" "$E2E_RUN/config" "$E2E_RUN/data" "$E2E_RUN/logs"
touch "$E2E_MARKER"
# A failure from here on stops whatever this run started: nothing is left running half-provisioned.
on_exit() {
	local rc=$?
	if [ "$rc" != 0 ]; then
		e2e_log "échec : arrêt de ce qui a démarré (état conservé dans $E2E_STATE pour l'analyse)"
		"$(dirname "${BASH_SOURCE[0]}")/mattermost-down.sh" || true
	fi
}
trap on_exit EXIT

# Ports: an explicit setting must be free; a default moves on to the next free port.
pick_port() { # name default explicit
	local port=$2
	if [ -n "$3" ]; then
		e2e_port_busy "$3" && e2e_die "127.0.0.1:$3 ($1) est déjà occupé ; libérez-le ou changez de port"
		echo "$3"
		return
	fi
	for _ in $(seq 1 50); do
		e2e_port_busy "$port" || {
			echo "$port"
			return
		}
		port=$((port + 1))
	done
	e2e_die "aucun port libre pour $1 entre $2 et $port"
}
PG_PORT=$(pick_port PARCOURS_E2E_PG_PORT 5433 "${PARCOURS_E2E_PG_PORT:-}")
MM_PORT=$(pick_port PARCOURS_E2E_MM_PORT 8065 "${PARCOURS_E2E_MM_PORT:-}")
[ "$MM_PORT" = "$PG_PORT" ] && e2e_die "PostgreSQL et Mattermost ne peuvent pas partager le port $MM_PORT"
URL=http://127.0.0.1:$MM_PORT
API=$URL/api/v4
SOCK=$E2E_RUN/mattermost_local.socket
[ "${#SOCK}" -lt 100 ] || e2e_die "chemin de socket trop long ($SOCK) : raccourcissez PARCOURS_E2E_STATE"

# ---------- 3. private PostgreSQL on 127.0.0.1 ----------
mkdir -p "$E2E_PGDIR/sock"
if [ "$(id -u)" = 0 ]; then
	chown -R postgres: "$E2E_PGDIR"
	runuser -u postgres -- test -w "$E2E_PGDIR" ||
		e2e_die "l'utilisateur postgres ne peut pas écrire dans $E2E_PGDIR (un dossier parent lui est fermé ?) : changez PARCOURS_E2E_STATE"
fi
if [ ! -f "$E2E_PGDIR/data/PG_VERSION" ]; then
	e2e_as_pg "$PGBIN/initdb" -D "$E2E_PGDIR/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 \
		>"$E2E_PGDIR/initdb.log" 2>&1 || {
		tail -20 "$E2E_PGDIR/initdb.log" >&2
		e2e_die "initdb a échoué"
	}
fi
e2e_as_pg "$PGBIN/pg_ctl" -D "$E2E_PGDIR/data" -l "$E2E_PGDIR/pg.log" -w -t 60 -o \
	"-c listen_addresses=127.0.0.1 -p $PG_PORT -k $E2E_PGDIR/sock -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
	start >/dev/null || {
	tail -20 "$E2E_PGDIR/pg.log" >&2
	e2e_die "PostgreSQL n'a pas démarré (journal : $E2E_PGDIR/pg.log)"
}
PG_PID=$(head -1 "$E2E_PGDIR/data/postmaster.pid")
PSQL() { "$PGBIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -v ON_ERROR_STOP=1 -Atq "$@"; }
if [ -z "$(PSQL -c "select 1 from pg_database where datname='mattermost'")" ]; then
	PSQL -c "CREATE USER mmuser WITH PASSWORD 'mmpass'" -c "CREATE DATABASE mattermost OWNER mmuser"
fi
e2e_log "PostgreSQL prêt sur 127.0.0.1:$PG_PORT (pid $PG_PID)"

# ---------- 4. Mattermost on 127.0.0.1 ----------
# The server looks for these folders beside its working directory; the web client (client/) is not
# needed by the API, only GET / breaks without it.
for d in i18n templates fonts; do ln -sfn "$MODDIR/$d" "$E2E_RUN/$d"; done
export MM_SQLSETTINGS_DRIVERNAME=postgres
export MM_SQLSETTINGS_DATASOURCE="postgres://mmuser:mmpass@127.0.0.1:$PG_PORT/mattermost?sslmode=disable&connect_timeout=10"
export MM_SERVICESETTINGS_SITEURL=$URL
export MM_SERVICESETTINGS_LISTENADDRESS=127.0.0.1:$MM_PORT
export MM_SERVICESETTINGS_ENABLELOCALMODE=true
export MM_SERVICESETTINGS_LOCALMODESOCKETLOCATION=$SOCK
export MM_SERVICESETTINGS_ENABLEBOTACCOUNTCREATION=true
export MM_SERVICESETTINGS_ENABLEUSERACCESSTOKENS=true
export MM_SERVICESETTINGS_ENABLECOMMANDS=true
export MM_SERVICESETTINGS_ENABLEINCOMINGWEBHOOKS=true
export MM_SERVICESETTINGS_ENABLEOUTGOINGWEBHOOKS=true
export MM_SERVICESETTINGS_ENABLEPOSTUSERNAMEOVERRIDE=true
export MM_SERVICESETTINGS_ENABLEPOSTICONOVERRIDE=true
# the bot's HTTP server (slash command, buttons) listens on loopback too
export MM_SERVICESETTINGS_ALLOWEDUNTRUSTEDINTERNALCONNECTIONS="127.0.0.1 localhost"
export MM_SERVICESETTINGS_ENABLESECURITYFIXALERT=false
export MM_SERVICESETTINGS_ENABLELINKPREVIEWS=false
export MM_SERVICESETTINGS_ENABLEPERMALINKPREVIEWS=false
export MM_SERVICESETTINGS_ENABLEGIFPICKER=false
export MM_LOGSETTINGS_ENABLEDIAGNOSTICS=false
export MM_LOGSETTINGS_ENABLESENTRY=false
export MM_LOGSETTINGS_CONSOLELEVEL=WARN
export MM_LOGSETTINGS_ENABLEFILE=true
export MM_LOGSETTINGS_FILELEVEL=INFO
export MM_LOGSETTINGS_FILELOCATION=$E2E_RUN/logs
export MM_PLUGINSETTINGS_ENABLE=false
export MM_PLUGINSETTINGS_ENABLEMARKETPLACE=false
export MM_PLUGINSETTINGS_ENABLEREMOTEMARKETPLACE=false
export MM_PLUGINSETTINGS_AUTOMATICPREPACKAGEDPLUGINS=false
export MM_ANNOUNCEMENTSETTINGS_ADMINNOTICESENABLED=false
export MM_ANNOUNCEMENTSETTINGS_USERNOTICESENABLED=false
export MM_EMAILSETTINGS_SENDPUSHNOTIFICATIONS=false
export MM_EMAILSETTINGS_SENDEMAILNOTIFICATIONS=false
export MM_TEAMSETTINGS_ENABLEOPENSERVER=true
# tests and benchmarks create users on every run of a kept state: lift the default limit of 50
export MM_TEAMSETTINGS_MAXUSERSPERTEAM=100000
export MM_RATELIMITSETTINGS_ENABLE=false
# no background jobs (cleanup, exports...): the tests need none, and stopping their workers made
# every shutdown take 7-13 s
export MM_JOBSETTINGS_RUNJOBS=false
export MM_JOBSETTINGS_RUNSCHEDULER=false
export MM_FILESETTINGS_DIRECTORY=$E2E_RUN/data/
t0=$(date +%s%N)
# setsid: Ctrl-C in the caller's terminal must not kill the server behind mattermost-down.sh's back
(cd "$E2E_RUN" && exec setsid "$E2E_BIN/mattermost" server --config "$E2E_RUN/config/config.json" \
	>"$E2E_RUN/server.out" 2>&1 </dev/null) &
MM_PID=$!
echo "$MM_PID" >"$E2E_STATE/mattermost.pid"
ready=
for _ in $(seq 1 900); do # 3 minutes: the first start migrates an empty database
	if curl -sf -m 2 "$API/system/ping" >/dev/null 2>&1; then
		ready=1
		break
	fi
	kill -0 "$MM_PID" 2>/dev/null || {
		tail -30 "$E2E_RUN/server.out" >&2
		e2e_die "Mattermost s'est arrêté au démarrage (journaux : $E2E_RUN/server.out, $E2E_RUN/logs)"
	}
	sleep 0.2
done
[ -n "$ready" ] || {
	tail -30 "$E2E_RUN/server.out" >&2
	e2e_die "Mattermost ne répond pas sur $API/system/ping après 3 min"
}
e2e_is_mattermost "$MM_PID" || e2e_die "le pid $MM_PID n'est pas le serveur Mattermost attendu"
ms=$((($(date +%s%N) - t0) / 1000000))
e2e_log "Mattermost prêt sur $URL en $((ms / 1000)).$(printf %03d $((ms % 1000))) s (pid $MM_PID)"

# ---------- 5. provisioning (each step checks before it creates) ----------
TEAM=parcours-e2e
CHANNEL=bots
BOT=parcours
# Local mode: the REST API over a unix socket, without authentication, for the admin's bootstrap.
LOCAL() { curl -sS --fail-with-body -m 30 --unix-socket "$SOCK" "$@"; }
# id_of prints the id of the object at a local-mode API path, nothing when it does not exist
# (an error answer is a JSON object too, with an "id" naming the error: hence -f, not --fail-with-body).
id_of() { curl -sf -m 30 --unix-socket "$SOCK" "http://localhost/api/v4/$1" | jq -r '.id // empty' || true; }
export MMCTL_LOCAL_SOCKET_PATH=$SOCK
MMCTL() { "$E2E_BIN/mmctl" --local --suppress-warnings "$@"; }
user_id() { id_of "users/username/$1"; }

ensure_user() { # username [--system-admin]
	local id
	id=$(user_id "$1")
	if [ -z "$id" ]; then
		MMCTL user create --email "$1@parcours-e2e.test" --username "$1" --password "${1^}-Passw0rd!e2e" "${@:2}" >/dev/null
		id=$(user_id "$1")
		[ -n "$id" ] || e2e_die "utilisateur $1 non créé"
	fi
	echo "$id"
}
ADMIN_ID=$(ensure_user admin --system-admin)
ALICE_ID=$(ensure_user alice)
BOB_ID=$(ensure_user bob)

TEAM_ID=$(id_of "teams/name/$TEAM")
if [ -z "$TEAM_ID" ]; then
	MMCTL team create --name "$TEAM" --display-name "Parcours E2E" >/dev/null
	TEAM_ID=$(LOCAL "http://localhost/api/v4/teams/name/$TEAM" | jq -r .id)
fi
CHANNEL_ID=$(id_of "teams/$TEAM_ID/channels/name/$CHANNEL")
if [ -z "$CHANNEL_ID" ]; then
	MMCTL channel create --team "$TEAM" --name "$CHANNEL" --display-name Bots >/dev/null
	CHANNEL_ID=$(LOCAL "http://localhost/api/v4/teams/$TEAM_ID/channels/name/$CHANNEL" | jq -r .id)
fi

token_for() { # username -> new personal access token
	MMCTL token generate "$1" e2e --json | jq -r '.[0].token // .token // empty'
}
ADMIN_TOKEN=$(token_for admin)
ALICE_TOKEN=$(token_for alice)
BOB_TOKEN=$(token_for bob)
[ -n "$ADMIN_TOKEN" ] && [ -n "$ALICE_TOKEN" ] && [ -n "$BOB_TOKEN" ] || e2e_die "jetons d'accès non créés"

# mmctl refuses to create bots in local mode (a bot needs an owning user): REST as the admin.
AH="Authorization: Bearer $ADMIN_TOKEN"
REST() { curl -sS --fail-with-body -m 30 -H "$AH" -H 'Content-Type: application/json' "$@"; }
BOT_ID=$(id_of "users/username/$BOT")
if [ -z "$BOT_ID" ]; then
	BOT_ID=$(REST -d "{\"username\":\"$BOT\",\"display_name\":\"Parcours\",\"description\":\"Parcours Cloud Pi Native (tests de bout en bout)\"}" \
		"$API/bots" | jq -r .user_id)
fi
[ "$(REST "$API/users/$BOT_ID" | jq -r '.is_bot')" = true ] || e2e_die "le compte $BOT existe mais n'est pas un bot"
BOT_TOKEN=$(REST -d '{"description":"e2e"}' "$API/users/$BOT_ID/tokens" | jq -r .token)
[ -n "$BOT_TOKEN" ] && [ "$BOT_TOKEN" != null ] || e2e_die "jeton du bot non créé"

for u in "$ADMIN_ID" "$ALICE_ID" "$BOB_ID" "$BOT_ID"; do
	REST -d "{\"team_id\":\"$TEAM_ID\",\"user_id\":\"$u\"}" "$API/teams/$TEAM_ID/members" >/dev/null
	REST -d "{\"user_id\":\"$u\"}" "$API/channels/$CHANNEL_ID/members" >/dev/null
done
# team_admin lets the bot register its own /parcours command in the team
REST -X PUT -d '{"roles":"team_user team_admin"}' "$API/teams/$TEAM_ID/members/$BOT_ID/roles" >/dev/null

# ---------- 6. env file (tokens inside: readable by its owner only) ----------
mkdir -p "$(dirname "$E2E_ENV_FILE")"
tmp=$(mktemp "$E2E_ENV_FILE.XXXXXX")
chmod 600 "$tmp"
cat >"$tmp" <<EOF
# Written by scripts/mattermost-up.sh on $(date -u +%FT%TZ). Source it (set -a; . $E2E_ENV_FILE)
# or give its path to the tests: PARCOURS_E2E_ENV=$E2E_ENV_FILE
MM_URL=$URL
MM_PORT=$MM_PORT
MM_ADMIN_USERNAME=admin
MM_ADMIN_USER_ID=$ADMIN_ID
MM_ADMIN_TOKEN=$ADMIN_TOKEN
MM_ALICE_USER_ID=$ALICE_ID
MM_ALICE_TOKEN=$ALICE_TOKEN
MM_BOB_USER_ID=$BOB_ID
MM_BOB_TOKEN=$BOB_TOKEN
MM_USER_TOKEN=$ALICE_TOKEN
MM_BOT_USERNAME=$BOT
MM_BOT_USER_ID=$BOT_ID
MM_BOT_TOKEN=$BOT_TOKEN
MM_TEAM_ID=$TEAM_ID
MM_TEAM_NAME=$TEAM
MM_CHANNEL_ID=$CHANNEL_ID
MM_CHANNEL_NAME=$CHANNEL
MM_PID=$MM_PID
MM_PG_PORT=$PG_PORT
MM_PG_PID=$PG_PID
MM_LOCAL_SOCKET=$SOCK
MM_LOG_DIR=$E2E_RUN/logs
MM_MMCTL=$E2E_BIN/mmctl
EOF
mv -f "$tmp" "$E2E_ENV_FILE"
trap - EXIT
e2e_log "environnement prêt : $E2E_ENV_FILE"
echo "$E2E_ENV_FILE"
