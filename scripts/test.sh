#!/usr/bin/env bash
# Run the whole test suite: vet, gofmt, unit tests with the race detector, then the end-to-end
# suite against a real Mattermost started (and always stopped) by scripts/mattermost-up.sh.
#
#   scripts/test.sh                       everything
#   scripts/test.sh --unit                vet, gofmt, unit tests and the image-equivalent test only
#   scripts/test.sh --e2e                 end-to-end suite only
#   scripts/test.sh --e2e -- -run TestX   extra arguments after -- go to the e2e go test
#
# Every step runs even when an earlier one failed; the summary at the end lists the failures and
# the exit status is non-zero if any. The e2e step starts from an empty database and stops the
# servers at the end, keeping their logs; PARCOURS_E2E_KEEP=1 leaves them running (stop them with
# scripts/mattermost-down.sh). Other settings: scripts/lib-e2e.sh.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/lib-e2e.sh
. scripts/lib-e2e.sh

unit=1
e2e=1
e2e_args=()
while [ $# -gt 0 ]; do
	case "$1" in
	--unit) e2e= ;;
	--e2e) unit= ;;
	--)
		shift
		e2e_args=("$@")
		break
		;;
	-h | --help)
		awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"
		exit 0
		;;
	*)
		echo "argument inconnu : $1 (voir $0 --help)" >&2
		exit 2
		;;
	esac
	shift
done
if [ -n "$unit" ] && [ -n "$e2e" ] && [ ${#e2e_args[@]} -gt 0 ]; then
	e2e_args=() # "--" without --e2e: arguments meant for one suite would confuse the other
	echo "les arguments après -- ne s'appliquent qu'avec --e2e : ignorés" >&2
fi

failed=()
summary=()
# step NAME CMD...: runs CMD, records its outcome and duration, never stops the script.
step() {
	local name=$1 t0 rc
	shift
	echo
	echo "=== $name"
	t0=$(date +%s)
	rc=0
	"$@" || rc=$?
	summary+=("$(printf '%-3s %-24s %5ss' "$([ $rc = 0 ] && echo ok || echo KO)" "$name" $(($(date +%s) - t0)))")
	[ $rc = 0 ] || failed+=("$name")
	return 0
}

# gotest ARGS...: go test with the usual one-line-per-package output, counting
# the tests that passed, failed and were skipped (for the closing line).
counts=$(mktemp)
echo "0 0 0" >"$counts"
gotest() {
	local json errs rc
	if ! command -v jq >/dev/null; then
		go test "$@" # without jq (apt-get install jq): plain output, no counts
		return
	fi
	json=$(mktemp)
	errs=$(mktemp)
	rc=0
	go test -json "$@" >"$json" 2>"$errs" || rc=$?
	# one line per package, as go test prints them
	jq -r 'select(.Test == null and (.Action == "pass" or .Action == "fail" or .Action == "skip"))
		| (if .Action == "pass" then "ok  " elif .Action == "fail" then "FAIL" else "?   " end)
		+ "\t" + .Package + (if .Elapsed then "\t" + ((.Elapsed * 1000 | round) / 1000 | tostring) + "s" else "" end)' "$json"
	if [ $rc != 0 ]; then
		echo "--- sortie des tests en échec :"
		# the output of the failed tests (and of failed packages: build errors, panics)
		jq -js '(map(select(.Action == "fail") | .Package + "|" + (.Test // ""))) as $failed
			| .[] | select(.Action == "output" and ((.Package + "|" + (.Test // "")) as $k | $failed | index($k)))
			| .Output' "$json" | grep -v '^=== \(RUN\|PAUSE\|CONT\)' || true
		cat "$errs"
	fi
	read -r p f s <"$counts"
	p=$((p + $(jq -s '[.[] | select(.Test != null and .Action == "pass")] | length' "$json")))
	f=$((f + $(jq -s '[.[] | select(.Test != null and .Action == "fail")] | length' "$json")))
	s=$((s + $(jq -s '[.[] | select(.Test != null and .Action == "skip")] | length' "$json")))
	echo "$p $f $s" >"$counts"
	rm -f "$json" "$errs"
	return $rc
}

gofmt_check() {
	local files
	files=$(gofmt -l $(git ls-files --cached --others --exclude-standard '*.go'))
	if [ -n "$files" ]; then
		echo "fichiers à formater avec gofmt -w :"
		echo "$files"
		return 1
	fi
}

# Fuzz targets, "package FuzzName", each run PARCOURS_FUZZTIME (default 2s) on top of its seeds
# (testdata/fuzz, also run by the unit tests): every parser of outside input. Add yours here.
fuzz_targets=(
	"./internal/quote FuzzText"
	"./internal/conversation FuzzCommand"
	"./internal/conversation FuzzMessage"
	"./internal/mattermost FuzzCommandRequest"
	"./internal/mattermost FuzzActionRequest"
	"./internal/mattermost FuzzVerify"
	"./internal/diagnostic FuzzReply"
	"./internal/diagnostic FuzzMatchOption"
	"./internal/kb FuzzSiteDataExpand"
	"./internal/kb FuzzParsePage"
	"./internal/kb FuzzParseSynonyms"
	"./internal/kb FuzzJekyllConfig"
	"./internal/parcours FuzzParse"
	"./internal/diagnostic FuzzParseQuestionnaire"
	"./internal/lexicon FuzzOpen"
	"./internal/lexicon FuzzLookup"
	"./internal/lexicon/gen FuzzParseAffix"
	"./internal/lexicon/gen FuzzParseDic"
	"./internal/lexicon/gen FuzzParseMythes"
	"./internal/analytics FuzzParsePeriod"
	"./internal/analytics FuzzCleanTeamName"
	"./internal/bolt FuzzDecodeEvent"
	"./internal/dashboard FuzzLinkCheck"
	"./internal/lexicon/gen FuzzParseDictd"
)

# deadline_flake tells Go's own fuzzing race at the end of -fuzztime (golang/go#75804, fixed in
# Go 1.27): a bare "context deadline exceeded" with no failing input written, no panic, no test
# error. A real finding always writes its input to testdata/fuzz.
deadline_flake() {
	grep -q 'context deadline exceeded' "$1" &&
		! grep -q -e 'Failing input written' -e 'panic:' -e '_test.go:[0-9]*:' "$1"
}

fuzz() {
	local t pkg name try rc=0
	for t in "${fuzz_targets[@]}"; do
		read -r pkg name <<<"$t"
		for try in 1 2; do
			# -parallel 2: the machines have two cores; a failing input is kept in $pkg/testdata/fuzz
			if go test -run '^$' -fuzz "^${name}\$" -fuzztime "${PARCOURS_FUZZTIME:-2s}" -parallel 2 "$pkg" >/tmp/fuzz.$$ 2>&1; then
				echo "ok  	$pkg $name"
				break
			elif deadline_flake /tmp/fuzz.$$; then
				if [ $try = 2 ]; then
					echo "ok  	$pkg $name (deux fois la course de fin de -fuzztime de Go, golang/go#75804 ; aucune entrée fautive)"
				fi
				continue
			fi
			echo "FAIL	$pkg $name"
			cat /tmp/fuzz.$$
			rc=1
			break
		done
	done
	rm -f /tmp/fuzz.$$
	return $rc
}

deploy_tests() {
	(cd deploy && go vet ./... && gotest -count=1 ./...)
}

e2e_suite() {
	local env_file rc running
	env_file=${PARCOURS_E2E_ENV:-${PARCOURS_E2E_STATE:-/tmp/parcours-e2e}/e2e.env}
	export PARCOURS_E2E_ENV=$env_file
	# a fresh database every run (about 3 s): no test depends on what an earlier run left.
	# A running environment is refused by mattermost-up.sh rather than wiped: it may be in use.
	if ! running=$(e2e_running); then
		scripts/mattermost-down.sh --wipe >/dev/null || return 1
	fi
	scripts/mattermost-up.sh >/dev/null || return 1
	# only now: a refused start must not stop an environment this run did not start
	if [ -z "${PARCOURS_E2E_KEEP:-}" ]; then
		trap 'scripts/mattermost-down.sh || true' EXIT
		trap 'exit 130' INT TERM
	fi
	rc=0
	gotest -race -count=1 -timeout 20m -tags e2e ./e2e/... "${e2e_args[@]}" || rc=$?
	if [ $rc != 0 ]; then
		echo "journaux Mattermost : ${PARCOURS_E2E_STATE:-/tmp/parcours-e2e}/run/logs/mattermost.log (conservés jusqu'à mattermost-down.sh --wipe)"
	fi
	if [ -z "${PARCOURS_E2E_KEEP:-}" ]; then
		scripts/mattermost-down.sh || rc=1
		trap - EXIT
	fi
	return $rc
}

if [ -n "$unit" ]; then
	step "go vet" go vet ./...
	step "go vet (tag e2e)" go vet -tags e2e ./e2e/...
	step "go vet (tag image)" go vet -tags image ./cmd/parcours
	step "gofmt" gofmt_check
	step "tests unitaires" gotest -race -count=1 ./...
	# memory is measured without the race detector (its shadow memory)
	step "mémoire de l'indexation" gotest -count=1 -run '^TestIndexingMemoryIsBounded$' ./internal/search
	# the binary built as the Dockerfile does, run as the image runs it (root needed: skipped
	# without it, failed without it under CI)
	step "image" gotest -count=1 -tags image -run TestImageEquivalent ./cmd/parcours
	step "fuzz (${#fuzz_targets[@]} cibles)" fuzz
	# the Kubernetes manifests, rendered with the Kustomize Go API in their own module (deploy/go.mod)
	step "manifestes (deploy/)" deploy_tests
fi
if [ -n "$e2e" ]; then
	step "tests de bout en bout" e2e_suite
fi

echo
echo "=== résumé"
printf '%s\n' "${summary[@]}"
read -r passed nfailed skipped <"$counts"
rm -f "$counts"
if [ ${#failed[@]} -gt 0 ]; then
	echo "échecs : ${failed[*]}"
	echo "$passed passed, $nfailed failed, $skipped skipped"
	exit 1
fi
echo "tout est passé"
echo "$passed passed, $nfailed failed, $skipped skipped"
