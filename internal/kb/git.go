package kb

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// GitCacheDir is where git sources are cloned; the bot sets it inside its
// data folder. Empty means the user's cache folder.
var GitCacheDir = ""

// gitTimeout bounds a clone or fetch: an unreachable forge must not hang a
// reindex.
const gitTimeout = 2 * time.Minute

// isGitSpec tells whether a source spec names a git repository:
// "git+https://forge/docs.git", "git+file:///srv/docs", "https://forge/docs.git".
func isGitSpec(spec string) bool {
	return strings.HasPrefix(spec, "git+") || strings.HasSuffix(strings.SplitN(spec, "#", 2)[0], ".git")
}

// GitSource is a knowledge source read from a git repository, written
// "git+URL[#REF[//SUBDIR]]" ("git+https://forge/docs.git#main//docs"). It is cloned on first load and fetched again on
// each reload; the last good checkout keeps serving when the forge is down.
func GitSource(spec string) (Source, error) {
	raw := strings.TrimPrefix(spec, "git+")
	url, rest, _ := strings.Cut(raw, "#")
	ref, sub, _ := strings.Cut(rest, "//")
	if url == "" || strings.HasPrefix(url, "-") {
		return Source{}, fmt.Errorf("source git %q invalide", spec)
	}
	g := &gitRepo{url: url, ref: ref, sub: sub}
	return Source{Name: url, FS: gitFS{g}, sync: g.sync}, nil
}

type gitRepo struct {
	url, ref, sub string
	mu            sync.Mutex
	dir           string // the clone, chosen at the first sync
}

// checkout is the clone's folder, under GitCacheDir as set when first used
// (the bot sets it from its data folder after reading its configuration).
func (g *gitRepo) checkout() (string, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.dir != "" {
		return g.dir, nil
	}
	base := GitCacheDir
	if base == "" {
		cache, err := os.UserCacheDir()
		if err != nil {
			return "", fmt.Errorf("source git %s: pas de dossier de cache: %w", g.url, err)
		}
		base = filepath.Join(cache, "parcours", "sources")
	}
	sum := sha256.Sum256([]byte(g.url + "#" + g.ref))
	g.dir = filepath.Join(base, hex.EncodeToString(sum[:8]))
	return g.dir, nil
}

// gitFS reads the checkout (and its SUBDIR) of a git source.
type gitFS struct{ g *gitRepo }

func (f gitFS) Open(name string) (fs.File, error) {
	dir, err := f.g.checkout()
	if err != nil {
		return nil, err
	}
	if f.g.sub != "" {
		dir = filepath.Join(dir, filepath.Clean("/"+f.g.sub))
	}
	return os.DirFS(dir).Open(name)
}

// sync clones the repository, or fetches and checks out its latest commit.
func (g *gitRepo) sync(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, gitTimeout)
	defer cancel()
	dir, err := g.checkout()
	if err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(dir, ".git")); err != nil {
		if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
			return fmt.Errorf("source git %s: %w", g.url, err)
		}
		tmp := dir + ".tmp"
		_ = os.RemoveAll(tmp)
		args := []string{"clone", "--quiet", "--depth", "1"}
		if g.ref != "" {
			args = append(args, "--branch", g.ref)
		}
		if err := runGit(ctx, "", append(args, "--", g.url, tmp)...); err != nil {
			_ = os.RemoveAll(tmp)
			return fmt.Errorf("source git %s: clonage impossible: %w", g.url, err)
		}
		return os.Rename(tmp, dir)
	}
	ref := g.ref
	if ref == "" {
		ref = "HEAD"
	}
	if err := runGit(ctx, dir, "fetch", "--quiet", "--depth", "1", "origin", ref); err != nil {
		return fmt.Errorf("source git %s: mise à jour impossible (la dernière version récupérée reste utilisée): %w", g.url, err)
	}
	if err := runGit(ctx, dir, "reset", "--quiet", "--hard", "FETCH_HEAD"); err != nil {
		return fmt.Errorf("source git %s: %w", g.url, err)
	}
	return nil
}

func runGit(ctx context.Context, dir string, args ...string) error {
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = dir
	// Never prompt for credentials: a bot has nobody to answer.
	cmd.Env = append(os.Environ(), "GIT_TERMINAL_PROMPT=0")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return fmt.Errorf("délai dépassé (%s)", gitTimeout)
		}
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = err.Error()
		}
		return errors.New(msg)
	}
	return nil
}
