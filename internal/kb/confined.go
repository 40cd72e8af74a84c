package kb

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strings"
	"syscall"
)

// confinedFS reads a folder tree and nothing outside it. A source is content
// from outside (a git repository anyone with push rights may change): a page
// that is a symbolic link to /proc/self/environ or to the bot's signing key
// must not be read. Every call opens the folder as an os.Root, which refuses
// any path whose real location leaves it (absolute or "../" links, links in
// the middle of a path); a link to a file inside the folder is followed.
//
// The folder is opened again at each call rather than held open, so that a
// folder replaced under the same name (a deployment, a new git checkout) is
// the one read.
type confinedFS struct {
	open func() (*os.Root, error)
}

// dirRoot opens a folder as the root of a source.
func dirRoot(dir string) func() (*os.Root, error) {
	return func() (*os.Root, error) { return os.OpenRoot(dir) }
}

// subRoot opens the folder sub of the root opened by parent; sub itself
// must stay inside it.
func subRoot(parent func() (*os.Root, error), sub string) func() (*os.Root, error) {
	sub = strings.TrimPrefix(path.Clean("/"+strings.ReplaceAll(sub, "\\", "/")), "/")
	if sub == "" {
		return parent
	}
	return func() (*os.Root, error) {
		r, err := parent()
		if err != nil {
			return nil, err
		}
		defer r.Close()
		return r.OpenRoot(sub)
	}
}

func (c confinedFS) with(f func(fs.FS) error) error {
	r, err := c.open()
	if err != nil {
		return err
	}
	defer r.Close()
	return f(r.FS())
}

// Open opens a file of the tree; the file stays usable once the root is
// closed (it has its own descriptor). It never blocks: a named pipe is
// opened without waiting for a writer (and then refused by readBounded).
func (c confinedFS) Open(name string) (fs.File, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	r, err := c.open()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	f, err := r.OpenFile(name, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	return f, nil
}

func (c confinedFS) ReadDir(name string) ([]fs.DirEntry, error) {
	var out []fs.DirEntry
	err := c.with(func(fsys fs.FS) (err error) {
		out, err = fs.ReadDir(fsys, name)
		return err
	})
	return out, err
}

func (c confinedFS) Stat(name string) (fs.FileInfo, error) {
	var out fs.FileInfo
	err := c.with(func(fsys fs.FS) (err error) {
		out, err = fs.Stat(fsys, name)
		return err
	})
	return out, err
}

// ReadFile reads a regular file of at most MaxFileSize bytes: the data files
// (synonyms, catalogue, questionnaire) are read through it too.
func (c confinedFS) ReadFile(name string) ([]byte, error) {
	return readBounded(c, name)
}

// errPageTooBig and errNotRegular say why a file is not read.
var (
	errPageTooBig = fmt.Errorf("fichier de plus de %d Mo", MaxFileSize>>20)
	errNotRegular = errors.New("ce n'est pas un fichier ordinaire")
)

// readBounded reads a regular file of fsys, refusing it beyond MaxFileSize
// whatever its size claims to be (/proc files say 0).
func readBounded(fsys fs.FS, name string) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !info.Mode().IsRegular() {
		return nil, &fs.PathError{Op: "read", Path: name, Err: errNotRegular}
	}
	if info.Size() > MaxFileSize {
		return nil, &fs.PathError{Op: "read", Path: name, Err: errPageTooBig}
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxFileSize {
		return nil, &fs.PathError{Op: "read", Path: name, Err: errPageTooBig}
	}
	return data, nil
}
