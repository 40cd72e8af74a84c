package kb

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/go-git/go-billy/v5"
	"github.com/go-git/go-billy/v5/osfs"
	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/plumbing/protocol/packp/capability"
	"github.com/go-git/go-git/v5/plumbing/storer"
	"github.com/go-git/go-git/v5/plumbing/transport"
	"github.com/go-git/go-git/v5/plumbing/transport/client"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
	"github.com/go-git/go-git/v5/plumbing/transport/server"
	gitssh "github.com/go-git/go-git/v5/plumbing/transport/ssh"
	"github.com/go-git/go-git/v5/storage/filesystem"
)

// Default limits of a git source.
const (
	// DefaultGitTimeout bounds one update (list the branch, clone it): an
	// unreachable forge must not hang a reindex.
	DefaultGitTimeout = 2 * time.Minute
	// DefaultGitMaxSize bounds what one update may write (objects and
	// checked-out files): a wrong URL pointing at a huge repository must not
	// fill the data volume.
	DefaultGitMaxSize = 512 << 20
)

// GitOptions tell git sources where to keep their checkouts and how to
// reach the forge.
type GitOptions struct {
	// CacheDir holds one folder per repository; the bot uses its data
	// folder, the command line the user's cache. Required.
	CacheDir string
	Auth     GitAuth
	Timeout  time.Duration // DefaultGitTimeout when zero
	MaxSize  int64         // bytes; DefaultGitMaxSize when zero
	// CABundle adds certificate authorities for HTTPS (PEM), on top of the
	// system's (SSL_CERT_FILE also works).
	CABundle []byte
}

// GitAuth are the credentials of git sources. Secrets are read again at
// each update (a rotated Kubernetes Secret is picked up at the next
// reindex) and never appear in errors or logs.
type GitAuth struct {
	// HTTPS: Token (or TokenFile) is an access token or a password, sent
	// with Username ("oauth2" when empty: GitLab's convention, accepted by
	// Gitea; GitHub ignores the user name). Sent over https only.
	Username  string
	Token     string
	TokenFile string
	// SSH: a private key without passphrase and the forge's known_hosts
	// line(s); host keys are always checked.
	SSHKeyFile    string
	SSHKnownHosts string
}

// isGitSpec tells whether a source spec names a git repository:
// "git+https://forge/docs.git", "git+file:///srv/docs", "https://forge/docs.git".
func isGitSpec(spec string) bool {
	return strings.HasPrefix(spec, "git+") || strings.HasSuffix(strings.SplitN(spec, "#", 2)[0], ".git")
}

// refPattern is what a branch or tag name may look like: no option
// ("-x"), no "..", no control characters.
var refPattern = regexp.MustCompile(`^[A-Za-z0-9._/-]+$`)

// GitSource is a knowledge source read from a git repository, written
// "git+URL[#REF[//SUBDIR]]" ("git+https://forge/docs.git#main//docs"). It
// is cloned on first load and updated on each reload; the last good
// checkout keeps serving when the forge is down, across restarts too. No git
// program is needed: go-git speaks https, ssh and file.
func GitSource(spec string, opts GitOptions) (Source, error) {
	raw := strings.TrimPrefix(spec, "git+")
	rawURL, rest, _ := strings.Cut(raw, "#")
	ref, sub, _ := strings.Cut(rest, "//")
	if rawURL == "" || strings.HasPrefix(rawURL, "-") {
		return Source{}, fmt.Errorf("source git %q invalide", spec)
	}
	ep, err := transport.NewEndpoint(rawURL)
	if err != nil {
		return Source{}, fmt.Errorf("source git %q invalide: %w", redactURL(rawURL), err)
	}
	switch ep.Protocol {
	case "https", "http", "ssh", "file":
	default:
		return Source{}, fmt.Errorf("source git %s: protocole %q non pris en charge (https, ssh ou file)", redactURL(rawURL), ep.Protocol)
	}
	if ep.Password != "" {
		return Source{}, fmt.Errorf("source git %s: pas de mot de passe ni de jeton dans l'URL (ils finiraient dans les journaux) : utilisez PARCOURS_GIT_TOKEN_FILE", redactURL(rawURL))
	}
	if ref != "" && (!refPattern.MatchString(ref) || strings.HasPrefix(ref, "-") || strings.Contains(ref, "..")) {
		return Source{}, fmt.Errorf("source git %s: branche %q invalide", rawURL, ref)
	}
	if opts.CacheDir == "" {
		return Source{}, fmt.Errorf("source git %s: pas de dossier où la cloner", rawURL)
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultGitTimeout
	}
	if opts.MaxSize <= 0 {
		opts.MaxSize = DefaultGitMaxSize
	}
	sub = strings.Trim(filepath.ToSlash(filepath.Clean("/"+sub)), "/")
	sum := sha256.Sum256([]byte(rawURL + "#" + ref))
	g := &gitRepo{url: rawURL, ref: ref, sub: sub, opts: opts,
		home: filepath.Join(opts.CacheDir, hex.EncodeToString(sum[:8]))}
	return Source{Name: rawURL, FS: gitFS{g}, sync: g.sync}, nil
}

type gitRepo struct {
	url, ref, sub string
	opts          GitOptions
	home          string // this repository's folder in the cache

	mu      sync.Mutex
	current string // checkout in service: home/<advertised hash>
	fsys    fs.FS  // current (and sub) as a folder source
}

// gitFS reads the checkout in service (and its SUBDIR) as a folder source.
type gitFS struct{ g *gitRepo }

func (f gitFS) Open(name string) (fs.File, error) {
	fsys, err := f.g.serving()
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	return fsys.Open(name)
}

// serving is the checkout in service: the one set by the last update, or
// at start the one a previous run left in the cache.
func (g *gitRepo) serving() (fs.FS, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.fsys == nil {
		dir := g.lastCheckout()
		if dir == "" {
			return nil, fs.ErrNotExist
		}
		g.setCurrentLocked(dir)
	}
	return g.fsys, nil
}

// setCurrentLocked puts a checkout in service. It is read as a folder
// source (see confinedFS) rooted at its SUBDIR: nothing outside the SUBDIR
// is read, even through a link, and a SUBDIR that is itself a link out of
// the checkout is refused.
func (g *gitRepo) setCurrentLocked(dir string) {
	g.current = dir
	g.fsys = confinedFS{open: subRoot(dirRoot(dir), g.sub)}
}

// checkoutName is the folder name of a finished checkout: the hash the
// forge advertised for the ref.
var checkoutName = regexp.MustCompile(`^[0-9a-f]{40}$`)

// lastCheckout finds the newest finished checkout in the cache.
func (g *gitRepo) lastCheckout() string {
	entries, err := os.ReadDir(g.home)
	if err != nil {
		return ""
	}
	var best string
	var bestTime time.Time
	for _, e := range entries {
		if !e.IsDir() || !checkoutName.MatchString(e.Name()) {
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue
		}
		if best == "" || info.ModTime().After(bestTime) {
			best, bestTime = filepath.Join(g.home, e.Name()), info.ModTime()
		}
	}
	return best
}

// sync brings the checkout up to date: it asks the forge for the ref's
// commit and, when it changed, clones it into a new folder that replaces
// the one in service only once complete. Errors never contain secrets.
func (g *gitRepo) sync(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, g.opts.Timeout)
	defer cancel()
	err := g.update(ctx)
	if err != nil && errors.Is(ctx.Err(), context.DeadlineExceeded) {
		err = fmt.Errorf("délai dépassé (%s)", g.opts.Timeout)
	}
	if err != nil {
		if _, serr := g.serving(); serr == nil {
			return fmt.Errorf("source git %s: mise à jour impossible (la dernière version récupérée reste utilisée): %w", g.url, err)
		}
		return fmt.Errorf("source git %s: clonage impossible: %w", g.url, err)
	}
	return nil
}

func (g *gitRepo) update(ctx context.Context) error {
	auth, err := g.opts.Auth.method(g.url)
	if err != nil {
		return err
	}
	ep, err := transport.NewEndpoint(g.url)
	if err != nil {
		return err
	}
	ep.CaBundle = g.opts.CABundle
	name, hash, shallow, err := g.resolve(ctx, ep, auth)
	if err != nil {
		return err
	}
	dir := filepath.Join(g.home, hash.String())
	g.mu.Lock()
	same := g.current == dir
	g.mu.Unlock()
	if same {
		return nil
	}
	if _, err := os.Stat(dir); err != nil {
		if err := g.clone(ctx, name, shallow, auth, dir); err != nil {
			return err
		}
	}
	g.mu.Lock()
	g.setCurrentLocked(dir)
	g.mu.Unlock()
	// Older checkouts go; open files of the previous index stay readable
	// until closed.
	entries, _ := os.ReadDir(g.home)
	for _, e := range entries {
		if p := filepath.Join(g.home, e.Name()); p != dir {
			_ = os.RemoveAll(p)
		}
	}
	return nil
}

// resolve asks the forge which commit the ref points to, and whether it
// can send a shallow history.
func (g *gitRepo) resolve(ctx context.Context, ep *transport.Endpoint, auth transport.AuthMethod) (plumbing.ReferenceName, plumbing.Hash, bool, error) {
	cl, err := client.NewClient(ep)
	if err != nil {
		return "", plumbing.ZeroHash, false, err
	}
	sess, err := cl.NewUploadPackSession(ep, auth)
	if err != nil {
		return "", plumbing.ZeroHash, false, cleanGitError(err)
	}
	defer sess.Close()
	adv, err := sess.AdvertisedReferencesContext(ctx)
	if err != nil {
		return "", plumbing.ZeroHash, false, cleanGitError(err)
	}
	refs, err := adv.AllReferences()
	if err != nil {
		return "", plumbing.ZeroHash, false, err
	}
	candidates := []plumbing.ReferenceName{plumbing.HEAD}
	if g.ref != "" {
		candidates = []plumbing.ReferenceName{plumbing.NewBranchReferenceName(g.ref), plumbing.NewTagReferenceName(g.ref)}
	}
	for _, n := range candidates {
		r, err := storer.ResolveReference(refs, n)
		if err != nil {
			continue
		}
		if n == plumbing.HEAD {
			// Clone the branch HEAD points to, when the forge says which.
			if sym, err := refs.Reference(plumbing.HEAD); err == nil && sym.Type() == plumbing.SymbolicReference {
				n = sym.Target()
			}
		}
		return n, r.Hash(), adv.Capabilities.Supports(capability.Shallow), nil
	}
	if g.ref == "" {
		return "", plumbing.ZeroHash, false, errors.New("dépôt vide")
	}
	return "", plumbing.ZeroHash, false, fmt.Errorf("branche ou étiquette « %s » introuvable", g.ref)
}

// clone fetches one commit of ref into dir, through a temporary folder,
// within the size cap; the objects are dropped once the files are out.
func (g *gitRepo) clone(ctx context.Context, ref plumbing.ReferenceName, shallow bool, auth transport.AuthMethod, dir string) error {
	if err := os.MkdirAll(g.home, 0o700); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(g.home, "tmp-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	budget := &sizeBudget{left: g.opts.MaxSize}
	objects := &cappedFS{Filesystem: osfs.New(filepath.Join(tmp, "objects"), osfs.WithBoundOS()), b: budget}
	work := &cappedFS{Filesystem: osfs.New(filepath.Join(tmp, "files"), osfs.WithBoundOS()), b: budget}
	st := filesystem.NewStorage(objects, cache.NewObjectLRUDefault())
	opts := &git.CloneOptions{
		URL: g.url, Auth: auth, ReferenceName: ref, SingleBranch: true,
		Tags: git.NoTags, CABundle: g.opts.CABundle,
	}
	if shallow {
		opts.Depth = 1
	}
	if _, err := git.CloneContext(ctx, st, work, opts); err != nil {
		if errors.Is(err, errTooBig) || budget.exceeded() {
			return fmt.Errorf("dépôt trop gros (plus de %d Mo) : pointez une source plus petite", g.opts.MaxSize>>20)
		}
		return cleanGitError(err)
	}
	files := filepath.Join(tmp, "files")
	_ = os.Remove(filepath.Join(files, ".git")) // the pointer to objects about to go
	return os.Rename(files, dir)
}

// method builds the go-git credentials for url.
func (a GitAuth) method(rawURL string) (transport.AuthMethod, error) {
	ep, err := transport.NewEndpoint(rawURL)
	if err != nil {
		return nil, err
	}
	switch ep.Protocol {
	case "https":
		tok := a.Token
		if a.TokenFile != "" {
			data, err := os.ReadFile(a.TokenFile)
			if err != nil {
				return nil, fmt.Errorf("lecture du jeton (PARCOURS_GIT_TOKEN_FILE): %w", errors.Unwrap(err))
			}
			tok = strings.TrimSpace(string(data))
		}
		if tok == "" {
			return nil, nil
		}
		user := a.Username
		if user == "" {
			user = "oauth2"
		}
		return &githttp.BasicAuth{Username: user, Password: tok}, nil
	case "ssh":
		if a.SSHKeyFile == "" {
			return nil, errors.New("clé SSH manquante (PARCOURS_GIT_SSH_KEY_FILE)")
		}
		if a.SSHKnownHosts == "" {
			return nil, errors.New("empreintes du serveur SSH manquantes (PARCOURS_GIT_SSH_KNOWN_HOSTS) : elles sont toujours vérifiées")
		}
		user := ep.User
		if user == "" {
			user = "git"
		}
		keys, err := gitssh.NewPublicKeysFromFile(user, a.SSHKeyFile, "")
		if err != nil {
			return nil, fmt.Errorf("clé SSH %s illisible: %w", a.SSHKeyFile, err)
		}
		cb, err := gitssh.NewKnownHostsCallback(a.SSHKnownHosts)
		if err != nil {
			return nil, fmt.Errorf("fichier known_hosts %s illisible: %w", a.SSHKnownHosts, err)
		}
		keys.HostKeyCallback = cb
		return keys, nil
	}
	// file:// needs nothing; http:// never gets the token in clear.
	return nil, nil
}

// cleanGitError keeps go-git's message but never a URL with credentials.
func cleanGitError(err error) error {
	switch {
	case errors.Is(err, transport.ErrAuthenticationRequired):
		return errors.New("authentification requise : donnez un jeton (PARCOURS_GIT_TOKEN_FILE)")
	case errors.Is(err, transport.ErrAuthorizationFailed):
		return errors.New("accès refusé : vérifiez le jeton et ses droits de lecture sur le dépôt")
	case errors.Is(err, transport.ErrRepositoryNotFound):
		return errors.New("dépôt introuvable")
	}
	return errors.New(userinfoPattern.ReplaceAllString(err.Error(), "://"))
}

var userinfoPattern = regexp.MustCompile(`://[^/@\s]*@`)

// redactURL drops the user information of a URL.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return userinfoPattern.ReplaceAllString(raw, "://")
	}
	u.User = nil
	return u.String()
}

var errTooBig = errors.New("taille maximale dépassée")

// sizeBudget counts the bytes one clone writes.
type sizeBudget struct {
	mu   sync.Mutex
	left int64
	over bool
}

func (b *sizeBudget) take(n int) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.left -= int64(n)
	if b.left < 0 {
		b.over = true
		return errTooBig
	}
	return nil
}

func (b *sizeBudget) exceeded() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.over
}

// cappedFS is a billy file system whose writes stop at the budget.
type cappedFS struct {
	billy.Filesystem
	b *sizeBudget
}

func (c *cappedFS) Create(name string) (billy.File, error) {
	f, err := c.Filesystem.Create(name)
	return c.wrap(f, err)
}

func (c *cappedFS) OpenFile(name string, flag int, perm os.FileMode) (billy.File, error) {
	f, err := c.Filesystem.OpenFile(name, flag, perm)
	return c.wrap(f, err)
}

func (c *cappedFS) TempFile(dir, prefix string) (billy.File, error) {
	f, err := c.Filesystem.TempFile(dir, prefix)
	return c.wrap(f, err)
}

func (c *cappedFS) Chroot(p string) (billy.Filesystem, error) {
	fs, err := c.Filesystem.Chroot(p)
	if err != nil {
		return nil, err
	}
	return &cappedFS{Filesystem: fs, b: c.b}, nil
}

func (c *cappedFS) wrap(f billy.File, err error) (billy.File, error) {
	if err != nil {
		return nil, err
	}
	return &cappedFile{File: f, b: c.b}, nil
}

type cappedFile struct {
	billy.File
	b *sizeBudget
}

func (f *cappedFile) Write(p []byte) (int, error) {
	if err := f.b.take(len(p)); err != nil {
		return 0, err
	}
	return f.File.Write(p)
}

// localLoader serves file:// repositories in process, bare or not, so
// that no git program is needed (go-git's own file transport runs
// git-upload-pack).
type localLoader struct{}

func (localLoader) Load(ep *transport.Endpoint) (storer.Storer, error) {
	root := osfs.New(ep.Path, osfs.WithBoundOS())
	dot := billy.Filesystem(root)
	if st, err := root.Stat(git.GitDirName); err == nil && st.IsDir() {
		var err error
		if dot, err = root.Chroot(git.GitDirName); err != nil {
			return nil, err
		}
	} else if _, err := root.Stat("config"); err != nil {
		return nil, transport.ErrRepositoryNotFound
	}
	return filesystem.NewStorage(dot, cache.NewObjectLRUDefault()), nil
}

func init() {
	client.InstallProtocol("file", server.NewClient(localLoader{}))
}
