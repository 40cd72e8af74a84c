package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"syscall"

	"github.com/cloud-pi-native/parcours/internal/bolt"
)

func init() {
	commands["backup"] = command{summary: "sauvegarde le dossier de données, bot en marche ou arrêté", run: runBackup}
	commands["restore"] = command{summary: "restaure une sauvegarde dans le dossier de données (bot arrêté)", run: runRestore}
}

func runBackup(ctx context.Context, env *cliEnv, args []string) error {
	fs := newFlagSet("backup", "backup [--data-dir DOSSIER] [--out FICHIER]", env.stderr)
	dir := fs.String("data-dir", env.getenv("PARCOURS_DATA_DIR"), "dossier de données du bot [PARCOURS_DATA_DIR]")
	out := fs.String("out", "-", "fichier de la sauvegarde (une archive tar) ; « - » : la sortie standard")
	if pos, err := parseArgs(fs, args); err != nil {
		return err
	} else if len(pos) > 0 {
		return usagef("argument inattendu « %s »", pos[0])
	}
	if env.getenv("PARCOURS_DATABASE_URL") != "" {
		return errors.New("l'état du bot est dans PostgreSQL (PARCOURS_DATABASE_URL) : sauvegardez la base avec pg_dump (voir le README, « Haute disponibilité »)")
	}
	if *dir == "" {
		return usagef("indiquez le dossier de données (--data-dir ou PARCOURS_DATA_DIR)")
	}
	if *out == "-" {
		if f, ok := env.stdout.(*os.File); ok && isTerminal(f) {
			return usagef("la sauvegarde est une archive binaire : redirigez-la (> sauvegarde.tar) ou utilisez --out")
		}
		return backupTo(ctx, env.stdout, *dir)
	}
	tmp := *out + ".partielle"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if err := backupTo(ctx, f, *dir); err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, *out); err != nil {
		return err
	}
	fmt.Fprintf(env.stderr, "sauvegarde écrite dans %s\n", *out)
	return nil
}

// backupTo asks the running bot for the backup through its admin socket,
// or, when no bot answers there, reads the store itself.
func backupTo(ctx context.Context, w io.Writer, dir string) error {
	sock := filepath.Join(dir, bolt.SocketName)
	client := &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", sock)
		},
	}}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://parcours/backup", nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		if errors.Is(err, syscall.ENOENT) || errors.Is(err, syscall.ECONNREFUSED) {
			return bolt.BackupOffline(w, dir) // no bot running on this folder
		}
		return fmt.Errorf("sauvegarde par le bot (%s): %w", sock, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("sauvegarde par le bot : réponse %s", resp.Status)
	}
	if _, err := io.Copy(w, resp.Body); err != nil {
		return fmt.Errorf("sauvegarde interrompue: %w", err)
	}
	return nil
}

func runRestore(ctx context.Context, env *cliEnv, args []string) error {
	fs := newFlagSet("restore", "restore [--data-dir DOSSIER] [--force] FICHIER|-", env.stderr)
	dir := fs.String("data-dir", env.getenv("PARCOURS_DATA_DIR"), "dossier de données du bot [PARCOURS_DATA_DIR]")
	force := fs.Bool("force", false, "remplacer la base existante (bot arrêté)")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("indiquez la sauvegarde à restaurer (un fichier, ou « - » pour l'entrée standard)")
	}
	if env.getenv("PARCOURS_DATABASE_URL") != "" {
		return errors.New("l'état du bot est dans PostgreSQL (PARCOURS_DATABASE_URL) : restaurez la base avec pg_restore ; une sauvegarde du dossier de données ne la remplace pas")
	}
	if *dir == "" {
		return usagef("indiquez le dossier de données (--data-dir ou PARCOURS_DATA_DIR)")
	}
	in := env.stdin
	if pos[0] != "-" {
		f, err := os.Open(pos[0])
		if err != nil {
			return err
		}
		defer f.Close()
		in = f
	}
	if err := bolt.Restore(in, *dir, *force); err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "sauvegarde restaurée dans %s : démarrez le bot.\n", *dir)
	return nil
}

func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
