// Package e2e holds the end-to-end tests of parcours against a real Mattermost server.
//
// The tests carry the build tag e2e and read the environment written by
// scripts/mattermost-up.sh through internal/mmtest:
//
//	scripts/test.sh --e2e                      # build, start, test, stop
//	scripts/mattermost-up.sh                   # or by hand: prints the env file path
//	PARCOURS_E2E_ENV=/tmp/parcours-e2e/e2e.env go test -tags e2e -run TestHarness ./e2e/
//
// New tests go in new _test.go files of this package with the //go:build e2e line; each calls
// mmtest.Load(t) to get the environment. See docs/e2e.md.
package e2e
