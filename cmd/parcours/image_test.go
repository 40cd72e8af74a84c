//go:build image

// The image-equivalent test: the binary built as the Dockerfile builds it
// (scripts/build.sh, from the files .dockerignore lets in), run as the image
// runs it: in an empty root (no shell, no git, no libraries), read-only but
// for the data folder and /tmp, as uid 65532. It needs root (a mount
// namespace and chroot): scripts/test.sh runs it as its "image" step.
//
//	go test -tags image -count=1 -v ./cmd/parcours -run TestImage
package main

import (
	"bytes"
	"debug/elf"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

const nonroot = 65532

func TestImageEquivalent(t *testing.T) {
	if os.Getuid() != 0 {
		if os.Getenv("CI") != "" {
			t.Fatal("the image-equivalent test needs root (mount namespace, chroot)")
		}
		t.Skip("needs root (mount namespace, chroot)")
	}
	tools := map[string]string{}
	for _, name := range []string{"go", "bash", "dirname", "unshare", "mount", "chroot", "env"} {
		p, err := exec.LookPath(name)
		if err != nil {
			t.Fatalf("%s not found: %v", name, err)
		}
		tools[name] = p
	}
	// From here on no git program is reachable: the build and the binary
	// do without.
	bin := t.TempDir()
	for name, p := range tools {
		if err := os.Symlink(p, filepath.Join(bin, name)); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("PATH", bin)
	if p, err := exec.LookPath("git"); err == nil {
		t.Fatalf("git still on PATH: %s", p)
	}

	work := t.TempDir()
	ctxDir := filepath.Join(work, "context")
	copyBuildContext(t, "../..", ctxDir)

	root := filepath.Join(work, "root")
	exe := filepath.Join(root, "usr", "local", "bin", "parcours")
	build := exec.Command("bash", filepath.Join(ctxDir, "scripts", "build.sh"), exe)
	build.Dir = ctxDir
	build.Env = append(os.Environ(), "VERSION=v9.8.7-test", "COMMIT=0123abcd", "BUILD_DATE=2026-01-02T03:04:05Z")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("scripts/build.sh: %v\n%s", err, out)
	}
	st, err := os.Stat(exe)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("binary: %.1f MB", float64(st.Size())/1e6)
	assertStatic(t, exe)

	// The image's file system: the binary, CA certificates, users, /tmp,
	// the data folder and, for the test, a git repository.
	mkdir := func(p string, mode os.FileMode, uid int) {
		t.Helper()
		if err := os.MkdirAll(p, mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chown(p, uid, uid); err != nil {
			t.Fatal(err)
		}
	}
	for _, d := range []string{"", "usr", "usr/local", "usr/local/bin", "etc", "etc/ssl", "etc/ssl/certs", "home", "srv"} {
		mkdir(filepath.Join(root, d), 0o755, 0)
	}
	mkdir(filepath.Join(root, "tmp"), 0o1777, 0)
	mkdir(filepath.Join(root, "data"), 0o700, nonroot)
	mkdir(filepath.Join(root, "home", "nonroot"), 0o700, nonroot)
	data := filepath.Join(work, "data") // mounted on /data, like the volume
	mkdir(data, 0o700, nonroot)
	writeFile(t, filepath.Join(root, "etc", "passwd"), "root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n")
	writeFile(t, filepath.Join(root, "etc", "group"), "root:x:0:\nnonroot:x:65532:\n")
	if ca, err := os.ReadFile("/etc/ssl/certs/ca-certificates.crt"); err == nil {
		writeFile(t, filepath.Join(root, "etc", "ssl", "certs", "ca-certificates.crt"), string(ca))
	}
	makeRepo(t, filepath.Join(root, "srv", "docs"))
	if err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && strings.HasPrefix(p, filepath.Join(root, "srv")) {
			mode := os.FileMode(0o644)
			if d.IsDir() {
				mode = 0o755
			}
			err = os.Chmod(p, mode)
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}

	run := func(args ...string) (string, string, error) {
		t.Helper()
		return runImage(t, tools["chroot"], root, data, nil, args...)
	}

	out, errs, err := run("version")
	if err != nil || !strings.Contains(out, "parcours v9.8.7-test (commit 0123abcd, construit le 2026-01-02T03:04:05Z") {
		t.Fatalf("version: %v\n%s%s", err, out, errs)
	}
	out, errs, err = run("ask", "je suis chef de projet, par où commencer ?")
	if err != nil || !strings.Contains(out, "parcours/projet.md") {
		t.Fatalf("ask on the embedded base: %v\n%s%s", err, out, errs)
	}
	out, errs, err = run("ask", "--source", "git+file:///srv/docs#main//docs", "qui tient l'astreinte de la plateforme ?")
	if err != nil || !strings.Contains(out, "astreinte.md") {
		t.Fatalf("ask on a git source: %v\n%s%s", err, out, errs)
	}
	// The checkout went to the data folder, owned by the image's user.
	var found bool
	_ = filepath.WalkDir(filepath.Join(data, "sources"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Name() == "astreinte.md" {
			found = true
			if info, err := os.Stat(p); err == nil {
				if uid := fileUID(info); uid != nonroot {
					t.Errorf("checkout owned by uid %d", uid)
				}
			}
		}
		return nil
	})
	if !found {
		t.Errorf("no checkout under /data/sources")
	}
	// The root is really read-only: the same question with the data folder
	// elsewhere than /data fails to write, it does not write into the root.
	_, errs, err = runImage(t, tools["chroot"], root, data, []string{"PARCOURS_DATA_DIR=/usr/local/x"}, "ask", "--source", "git+file:///srv/docs", "astreinte")
	if err == nil || !strings.Contains(errs, "read-only file system") {
		t.Errorf("a write outside /data must fail on the read-only root: %v\n%s", err, errs)
	}
}

// runImage starts the binary as the image does: a private mount namespace,
// the root read-only, /data and /tmp writable, uid 65532, the image's
// environment (and extra) only.
func runImage(t *testing.T, chroot, root, data string, extra []string, args ...string) (string, string, error) {
	t.Helper()
	script := `set -e
r=$ROOT d=$DATA c=$CHROOT
unset ROOT DATA CHROOT
mount --bind "$r" "$r"
mount --bind "$d" "$r/data"
mount -t tmpfs -o mode=1777 tmpfs "$r/tmp"
mount -o remount,bind,ro "$r"
export PATH=/usr/local/bin:/usr/bin:/bin
exec "$c" --userspec=65532:65532 "$r" /usr/local/bin/parcours "$@"`
	cmd := exec.Command("unshare", append([]string{"--mount", "--propagation", "private", "bash", "-c", script, "bash"}, args...)...)
	// the image's environment (Dockerfile ENV, distroless's own)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=/home/nonroot", "SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt",
		"PARCOURS_LISTEN=:8080", "PARCOURS_DATA_DIR=/data", "PARCOURS_LOG_FORMAT=json"}, extra...)
	cmd.Env = append(cmd.Env, "ROOT="+root, "DATA="+data, "CHROOT="+chroot)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	return out.String(), errb.String(), err
}

// copyBuildContext copies what .dockerignore lets into the build context,
// so that the test fails when the image could not be built from it.
func copyBuildContext(t *testing.T, src, dst string) {
	t.Helper()
	rules, err := os.ReadFile(filepath.Join(src, ".dockerignore"))
	if err != nil {
		t.Fatal(err)
	}
	var include []string
	for _, line := range strings.Split(string(rules), "\n") {
		line = strings.TrimSpace(line)
		switch {
		case line == "" || strings.HasPrefix(line, "#") || line == "*":
		case line == "**/*_test.go" || line == "**/testdata/":
		case strings.HasPrefix(line, "!"):
			include = append(include, strings.TrimSuffix(line[1:], "/"))
		default:
			t.Fatalf(".dockerignore: rule %q unknown to this test; teach copyBuildContext", line)
		}
	}
	for _, inc := range include {
		err := filepath.WalkDir(filepath.Join(src, inc), func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(src, p)
			if d.IsDir() {
				if d.Name() == "testdata" {
					return filepath.SkipDir
				}
				return os.MkdirAll(filepath.Join(dst, rel), 0o755)
			}
			if strings.HasSuffix(p, "_test.go") {
				return nil
			}
			if err := os.MkdirAll(filepath.Dir(filepath.Join(dst, rel)), 0o755); err != nil {
				return err
			}
			return copyFile(p, filepath.Join(dst, rel))
		})
		if err != nil {
			t.Fatalf("build context %s: %v", inc, err)
		}
	}
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	info, err := in.Stat()
	if err != nil {
		return err
	}
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, info.Mode().Perm())
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

func writeFile(t *testing.T, p, body string) {
	t.Helper()
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

// assertStatic fails unless the binary needs no dynamic loader nor library.
func fileUID(info os.FileInfo) int {
	if st, ok := info.Sys().(*syscall.Stat_t); ok {
		return int(st.Uid)
	}
	return -1
}

func assertStatic(t *testing.T, exe string) {
	t.Helper()
	f, err := elf.Open(exe)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Error("the binary asks for a dynamic loader: not static")
		}
	}
	if libs, _ := f.ImportedLibraries(); len(libs) > 0 {
		t.Errorf("the binary needs libraries: %v", libs)
	}
}

// makeRepo makes a git repository (with go-git: no git program) holding
// one page under docs/ on branch main.
func makeRepo(t *testing.T, dir string) {
	t.Helper()
	r, err := git.PlainInitWithOptions(dir, &git.PlainInitOptions{
		InitOptions: git.InitOptions{DefaultBranch: plumbing.NewBranchReferenceName("main")},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "docs"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "docs", "astreinte.md"), "# Astreinte\n\nL'astreinte de l'équipe plateforme tourne chaque semaine, avec un cadre d'escalade écrit et partagé.\n")
	w, err := r.Worktree()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Add("docs/astreinte.md"); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Commit("doc", &git.CommitOptions{Author: &object.Signature{Name: "t", Email: "t@example.org", When: time.Now()}}); err != nil {
		t.Fatal(err)
	}
}
