package bolt

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	bbolt "go.etcd.io/bbolt"
)

// A backup is a tar archive of the data folder: the store, copied in one
// read transaction (consistent while the bot keeps writing), and the other
// files at its top (the button signing key, the last post seen). Folders
// are left out: git checkouts are cloned again.

// SocketName is the bot's admin socket in the data folder: "parcours
// backup" asks the running bot for a consistent copy through it (only the
// bot's own user can open it).
const SocketName = "admin.sock"

// maxRestoreFile bounds one file of a backup being restored.
const maxRestoreFile = 8 << 30

// Backup writes the backup of the data folder dir, whose store d is.
func (d *DB) Backup(w io.Writer, dir string) error {
	return writeBackup(w, dir, d.db)
}

// BackupOffline writes the backup of the data folder dir while no bot
// runs on it: the store is opened read-only.
func BackupOffline(w io.Writer, dir string) error {
	path := filepath.Join(dir, FileName)
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("pas de base à sauvegarder dans %s: %w", dir, err)
	}
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		if errors.Is(err, bbolt.ErrTimeout) {
			return fmt.Errorf("la base %s est tenue par un bot qui ne répond pas sur %s : arrêtez-le ou vérifiez qu'il tourne bien sur ce dossier", path, SocketName)
		}
		return fmt.Errorf("ouverture de la base %s: %w", path, err)
	}
	defer db.Close()
	return writeBackup(w, dir, db)
}

func writeBackup(w io.Writer, dir string, db *bbolt.DB) error {
	tw := tar.NewWriter(w)
	now := time.Now()
	err := db.View(func(tx *bbolt.Tx) error {
		if err := tw.WriteHeader(&tar.Header{Name: FileName, Mode: 0o600, Size: tx.Size(), ModTime: now, Typeflag: tar.TypeReg}); err != nil {
			return err
		}
		_, err := tx.WriteTo(tw)
		return err
	})
	if err != nil {
		return fmt.Errorf("copie de la base: %w", err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("lecture du dossier de données: %w", err)
	}
	for _, e := range entries {
		if !e.Type().IsRegular() || e.Name() == FileName || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		if err := addFile(tw, dir, e.Name()); err != nil {
			return err
		}
	}
	return tw.Close()
}

func addFile(tw *tar.Writer, dir, name string) error {
	f, err := os.Open(filepath.Join(dir, name))
	if err != nil {
		return fmt.Errorf("sauvegarde de %s: %w", name, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("sauvegarde de %s: %w", name, err)
	}
	if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o600, Size: st.Size(), ModTime: st.ModTime(), Typeflag: tar.TypeReg}); err != nil {
		return err
	}
	if _, err := io.CopyN(tw, f, st.Size()); err != nil {
		return fmt.Errorf("sauvegarde de %s: %w", name, err)
	}
	return nil
}

// Restore puts a backup back into the data folder dir, for a bot that is
// stopped. It refuses a folder that already holds a store unless force,
// never writes outside dir, and checks that the restored store opens.
func Restore(r io.Reader, dir string, force bool) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("création du dossier de données %s: %w", dir, err)
	}
	target := filepath.Join(dir, FileName)
	if _, err := os.Stat(target); err == nil {
		if !force {
			return fmt.Errorf("%s existe déjà : restaurez dans un dossier vide, ou ajoutez --force pour la remplacer (bot arrêté)", target)
		}
		// A running bot holds the file: never restore under it.
		db, err := bbolt.Open(target, 0o600, &bbolt.Options{Timeout: time.Second})
		if err != nil {
			return fmt.Errorf("la base %s est utilisée (un bot tourne ?) : arrêtez-le avant de restaurer: %w", target, err)
		}
		db.Close()
	}
	tmp, err := os.MkdirTemp(dir, ".restauration-")
	if err != nil {
		return fmt.Errorf("restauration: %w", err)
	}
	defer os.RemoveAll(tmp)
	tr := tar.NewReader(r)
	var names []string
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("sauvegarde illisible: %w", err)
		}
		name := h.Name
		if h.Typeflag != tar.TypeReg || name == "" || name != filepath.Base(name) || strings.HasPrefix(name, ".") {
			return fmt.Errorf("sauvegarde invalide : entrée « %s » inattendue", name)
		}
		if h.Size > maxRestoreFile {
			return fmt.Errorf("sauvegarde invalide : %s trop gros", name)
		}
		f, err := os.OpenFile(filepath.Join(tmp, name), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return fmt.Errorf("restauration de %s: %w", name, err)
		}
		if _, err := io.CopyN(f, tr, h.Size); err != nil {
			f.Close()
			return fmt.Errorf("restauration de %s: %w", name, err)
		}
		if err := f.Close(); err != nil {
			return fmt.Errorf("restauration de %s: %w", name, err)
		}
		names = append(names, name)
	}
	db, err := bbolt.Open(filepath.Join(tmp, FileName), 0o600, &bbolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		return fmt.Errorf("sauvegarde invalide : la base ne s'ouvre pas: %w", err)
	}
	err = db.View(func(tx *bbolt.Tx) error {
		for e := range tx.Check() {
			return e
		}
		return nil
	})
	db.Close()
	if err != nil {
		return fmt.Errorf("sauvegarde invalide : base incohérente: %w", err)
	}
	for _, n := range names {
		if err := os.Rename(filepath.Join(tmp, n), filepath.Join(dir, n)); err != nil {
			return fmt.Errorf("restauration de %s: %w", n, err)
		}
	}
	return nil
}
