// Package pgtest gives tests a real PostgreSQL. With PARCOURS_TEST_DATABASE_URL set, it uses
// that server (any database of it: each test gets its own new database there); otherwise it
// starts a private cluster of its own, once per test binary: initdb in a temporary folder, then
// postgres listening only on a Unix socket in that folder (no port to collide on), durability
// off, run as the postgres user when the tests run as root. Main stops and removes it at the end;
// the server also dies with the test binary if that is killed.
//
// Without PostgreSQL installed (Debian: apt-get install -y postgresql) the tests that need it are
// skipped, except when CI=true, where they fail: CI never passes by skipping them.
//
// The package is imported only by _test files.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// EnvVar names a server to use instead of a private cluster: a URL whose user may create
// databases, for example postgres://postgres@127.0.0.1:5433/postgres?sslmode=disable.
const EnvVar = "PARCOURS_TEST_DATABASE_URL"

var (
	once     sync.Once
	admin    *url.URL // connection to the server's maintenance database
	skipMsg  string
	startErr error
	cluster  *private
)

// Main runs the tests of a package, then stops the private cluster if one was started. Use it as
// the package's TestMain: func TestMain(m *testing.M) { pgtest.Main(m) }.
func Main(m *testing.M) {
	code := m.Run()
	if cluster != nil {
		cluster.stop()
	}
	os.Exit(code)
}

// URL returns the URL of a new, empty database for the test, dropped when it ends.
func URL(t testing.TB) string {
	t.Helper()
	once.Do(setup)
	if skipMsg != "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s; CI=true: tests needing PostgreSQL must not be skipped", skipMsg)
		}
		t.Skip(skipMsg)
	}
	if startErr != nil {
		t.Fatal(startErr)
	}
	var b [6]byte
	rand.Read(b[:])
	name := "t_" + hex.EncodeToString(b[:])
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, admin.String())
	if err != nil {
		t.Fatalf("pgtest: connexion au serveur de test: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("pgtest: création de la base %s: %v", name, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, admin.String())
		if err != nil {
			t.Logf("pgtest: base %s non supprimée: %v", name, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Logf("pgtest: base %s non supprimée: %v", name, err)
		}
	})
	u := *admin
	u.Path = "/" + name
	return u.String()
}

func setup() {
	if v := os.Getenv(EnvVar); v != "" {
		u, err := url.Parse(v)
		if err != nil {
			startErr = fmt.Errorf("pgtest: %s invalide: %w", EnvVar, err)
			return
		}
		admin = u
		return
	}
	bin, err := binDir()
	if err != nil {
		skipMsg = err.Error()
		return
	}
	cluster, err = start(bin)
	if err != nil {
		startErr = err
		return
	}
	admin = cluster.url()
}

// binDir finds the PostgreSQL server binaries: PARCOURS_E2E_PGBIN (as the end-to-end
// scripts), else the newest /usr/lib/postgresql/*/bin, else initdb on the PATH.
func binDir() (string, error) {
	if d := os.Getenv("PARCOURS_E2E_PGBIN"); d != "" {
		return d, nil
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	slices.SortFunc(dirs, func(a, b string) int { return version(a) - version(b) })
	for i := len(dirs) - 1; i >= 0; i-- {
		if _, err := os.Stat(filepath.Join(dirs[i], "initdb")); err == nil {
			return dirs[i], nil
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p), nil
	}
	return "", errors.New("PostgreSQL introuvable (ni " + EnvVar + ", ni /usr/lib/postgresql/*/bin/initdb ; Debian : apt-get install -y postgresql)")
}

// version is the major version in /usr/lib/postgresql/NN/bin.
func version(dir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(dir)))
	return n
}

// private is a cluster started by this package.
type private struct {
	dir  string
	cmd  *exec.Cmd
	done chan struct{}
}

func (p *private) url() *url.URL {
	// The socket folder goes in the host parameter; the path is the database.
	return &url.URL{Scheme: "postgres", User: url.User("postgres"), Path: "/postgres",
		RawQuery: url.Values{"host": {p.dir}, "sslmode": {"disable"}}.Encode()}
}

func start(bin string) (*private, error) {
	dir, err := os.MkdirTemp("", "parcours-pg-")
	if err != nil {
		return nil, fmt.Errorf("pgtest: dossier temporaire: %w", err)
	}
	var cred *syscall.Credential
	if os.Getuid() == 0 {
		// PostgreSQL refuses to run as root.
		u, err := user.Lookup("postgres")
		if err != nil {
			os.RemoveAll(dir)
			return nil, fmt.Errorf("pgtest: en root, l'utilisateur système postgres est nécessaire: %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			os.RemoveAll(dir)
			return nil, fmt.Errorf("pgtest: %w", err)
		}
		cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
	}
	data := filepath.Join(dir, "data")
	initdb := exec.Command(filepath.Join(bin, "initdb"), "-D", data, "-U", "postgres", "--auth=trust",
		"-E", "UTF8", "--locale=C", "--no-sync")
	initdb.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	if out, err := initdb.CombinedOutput(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("pgtest: initdb: %v\n%s", err, out)
	}
	logf, err := os.Create(filepath.Join(dir, "pg.log"))
	if err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("pgtest: %w", err)
	}
	cmd := exec.Command(filepath.Join(bin, "postgres"), "-D", data, "-k", dir,
		"-c", "listen_addresses=", "-c", "fsync=off", "-c", "synchronous_commit=off",
		"-c", "full_page_writes=off", "-c", "max_connections=300")
	cmd.Stdout, cmd.Stderr = logf, logf
	// The server dies with the test binary, even killed: SIGQUIT is its immediate shutdown.
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred, Pdeathsig: syscall.SIGQUIT}
	if err := cmd.Start(); err != nil {
		logf.Close()
		os.RemoveAll(dir)
		return nil, fmt.Errorf("pgtest: démarrage de postgres: %w", err)
	}
	p := &private{dir: dir, cmd: cmd, done: make(chan struct{})}
	go func() { cmd.Wait(); logf.Close(); close(p.done) }()
	deadline := time.Now().Add(60 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		conn, err := pgx.Connect(ctx, p.url().String())
		cancel()
		if err == nil {
			conn.Close(context.Background())
			return p, nil
		}
		select {
		case <-p.done:
			log, _ := os.ReadFile(filepath.Join(dir, "pg.log"))
			os.RemoveAll(dir)
			return nil, fmt.Errorf("pgtest: postgres s'est arrêté au démarrage:\n%s", log)
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			p.stop()
			return nil, fmt.Errorf("pgtest: postgres ne répond pas: %w", err)
		}
	}
}

// stop shuts the cluster down (fast shutdown, then immediate) and removes its folder.
func (p *private) stop() {
	p.cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		p.cmd.Process.Signal(syscall.SIGQUIT)
		<-p.done
	}
	os.RemoveAll(p.dir)
}
