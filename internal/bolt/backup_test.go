package bolt

import (
	"archive/tar"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cloud-pi-native/parcours/internal/diagnostic"
)

// finishDiagnostic runs a whole diagnostic for user u.
func finishDiagnostic(t *testing.T, e *diagnostic.Engine, u, perim string, opt int) {
	t.Helper()
	s, err := e.Start(bg, u, diagnostic.StartOptions{Audience: diagnostic.AudienceSelf})
	if err == nil {
		s, err = e.Choose(bg, u, diagnostic.PerimeterQuestionID, perim)
	}
	for err == nil && s.Kind == diagnostic.StepQuestion {
		s, err = e.Choose(bg, u, s.Question.ID, s.Question.Options[opt%len(s.Question.Options)].ID)
	}
	if err != nil {
		t.Error(err)
	}
}

// A backup taken while the bot keeps writing (diagnostics, questions,
// feedback) restores into a store that a second instance opens with every
// diagnostic finished before the backup intact.
func TestBackupWhileWritingRestoresIntact(t *testing.T) {
	dir := t.TempDir()
	db, st := openDiag(t, dir)
	defer db.Close()
	if err := os.WriteFile(filepath.Join(dir, "action.key"), []byte("cle\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "sources", "abc"), 0o700); err != nil {
		t.Fatal(err)
	}
	e := engineOn(t, st, nil)
	perims := []string{"produit", "sre", "projet", "strategie"}
	for i := range 20 {
		finishDiagnostic(t, e, fmt.Sprintf("avant%d", i), perims[i%4], i)
	}
	want := map[string][]*diagnostic.Result{}
	for i := range 20 {
		u := fmt.Sprintf("avant%d", i)
		rs, err := st.Results(bg, u)
		if err != nil || len(rs) != 1 {
			t.Fatalf("%s: %v %v", u, rs, err)
		}
		want[u] = rs
	}
	// The bot goes on: diagnostics, questions and clicks during the copy.
	var stop atomic.Bool
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; !stop.Load(); i++ {
				finishDiagnostic(t, e, fmt.Sprintf("pendant%d-%d", w, i), perims[i%4], i)
				_ = db.RecordQuestion(fmt.Sprintf("question %d", i), i%2 == 0, time.Now())
				_, _ = db.RecordFeedback(fmt.Sprintf("a%d", i), "p", fmt.Sprintf("u%d", w), true, time.Now())
			}
		}()
	}
	time.Sleep(50 * time.Millisecond)
	var buf bytes.Buffer
	err := db.Backup(&buf, dir)
	stop.Store(true)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	tr := tar.NewReader(bytes.NewReader(buf.Bytes()))
	for h, err := tr.Next(); err == nil; h, err = tr.Next() {
		names = append(names, h.Name)
	}
	if strings.Join(names, ",") != FileName+",action.key" {
		t.Errorf("backup holds %v, want the store and the key, not the checkouts", names)
	}

	restored := t.TempDir()
	if err := Restore(bytes.NewReader(buf.Bytes()), restored, false); err != nil {
		t.Fatal(err)
	}
	db2, st2 := openDiag(t, restored)
	defer db2.Close()
	for u, rs := range want {
		got, err := st2.Results(bg, u)
		if err != nil || !reflect.DeepEqual(got, rs) {
			t.Errorf("%s after restore: %+v, %v; want %+v", u, got, err, rs)
		}
	}
	if key, err := os.ReadFile(filepath.Join(restored, "action.key")); err != nil || string(key) != "cle\n" {
		t.Errorf("signing key restored: %q %v", key, err)
	}
	// A second restore over it is refused without --force.
	if err := Restore(bytes.NewReader(buf.Bytes()), restored, false); err == nil || !strings.Contains(err.Error(), "--force") {
		t.Errorf("restore over a store: %v", err)
	}
	// Over a store a bot holds, even --force is refused.
	if err := Restore(bytes.NewReader(buf.Bytes()), restored, true); err == nil || !strings.Contains(err.Error(), "utilisée") {
		t.Errorf("restore under a running bot: %v", err)
	}
}

func TestBackupOffline(t *testing.T) {
	dir := t.TempDir()
	db, st := openDiag(t, dir)
	finishDiagnostic(t, engineOn(t, st, nil), "u", "sre", 1)
	var buf bytes.Buffer
	if err := BackupOffline(&buf, dir); err == nil || !strings.Contains(err.Error(), SocketName) {
		t.Errorf("offline backup of a store in use must say so: %v", err)
	}
	db.Close()
	buf.Reset()
	if err := BackupOffline(&buf, dir); err != nil {
		t.Fatal(err)
	}
	restored := t.TempDir()
	if err := Restore(&buf, restored, false); err != nil {
		t.Fatal(err)
	}
	_, st2 := openDiag(t, restored)
	if rs, err := st2.Results(bg, "u"); err != nil || len(rs) != 1 || rs[0].Perimeter != "sre" {
		t.Errorf("restored: %+v %v", rs, err)
	}
}

func TestRestoreRefusesHostileArchives(t *testing.T) {
	for name, entry := range map[string]*tar.Header{
		"escape":  {Name: "../evil", Typeflag: tar.TypeReg, Size: 1, Mode: 0o600},
		"nested":  {Name: "sources/x", Typeflag: tar.TypeReg, Size: 1, Mode: 0o600},
		"symlink": {Name: "lien", Typeflag: tar.TypeSymlink, Linkname: "/etc/passwd", Mode: 0o777},
	} {
		var buf bytes.Buffer
		tw := tar.NewWriter(&buf)
		_ = tw.WriteHeader(entry)
		if entry.Size > 0 {
			_, _ = tw.Write([]byte("x"))
		}
		tw.Close()
		dir := t.TempDir()
		if err := Restore(&buf, filepath.Join(dir, "data"), false); err == nil {
			t.Errorf("%s: accepted", name)
		}
		if _, err := os.Stat(filepath.Join(dir, "evil")); err == nil {
			t.Errorf("%s: wrote outside the data folder", name)
		}
	}
	if err := Restore(strings.NewReader("pas une archive"), t.TempDir(), false); err == nil {
		t.Error("garbage accepted")
	}
}
