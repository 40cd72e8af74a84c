// Command gen builds the tables of package lexicon from Debian and npm packages:
//
//	apt-get update
//	go run ./internal/lexicon/gen      # downloads the pinned packages and files
//	go run ./internal/lexicon/gen -debs DIR -npm DIR -freq FILE  # or uses copies already here
//
// It downloads each Debian package with "apt-get download NAME=VERSION",
// each npm package with "npm pack NAME@VERSION" and the frequency list from
// GitHub at a pinned commit, checks each SHA-256 against its pin, unpacks
// the packages (dpkg-deb -x; the npm tarballs are read in place), and
// writes the tables, data/SOURCES.md and the licence texts into -out (default
// internal/lexicon/data). The output depends only on the packages: running
// it twice gives the same bytes. When Debian publishes a new version,
// update the pins and run it again.
package main

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/cloud-pi-native/parcours/internal/lexicon"
)

// pkg is a pinned Debian package.
type pkg struct {
	name, version, sha256, licence string
}

// The packages, as in Debian 13 (trixie) and 12 (bookworm).
var (
	hunspellFr = pkg{"hunspell-fr-comprehensive", "1:7.0-1",
		"95492f44ddfef23a4cea1981aaa64610bee84ca3da8d5aa68552310873659d8d", "MPL-2.0"}
	mythesFr = pkg{"mythes-fr", "1:7.5.0-1",
		"c9cdf4b669f05662e2ad474c72f78b2b7a6c3dc4d35d645ac08b334c50b1f94a", "LGPL-2.1-or-later"}
	freedictEngFra = pkg{"dict-freedict-eng-fra", "2022.04.21-1",
		"b8db6774b640ae8a372bee119b4304d88e6fd471a283d1326d7ec0abcc8b930e", "GPL-2.0-or-later"}
	freedictFraEng = pkg{"dict-freedict-fra-eng", "2022.04.21-1",
		"fb853d1f3da00ddddfe60dc3b88b5aaca122eecf3ba5c219131bea479d6274db", "GPL-2.0-or-later"}
	packages = []pkg{hunspellFr, mythesFr, freedictEngFra, freedictFraEng}
)

func main() {
	debs := flag.String("debs", "", "dossier des paquets .deb déjà téléchargés (sinon apt-get download)")
	npm := flag.String("npm", "", "dossier des paquets npm (.tgz) déjà téléchargés (sinon npm pack)")
	freq := flag.String("freq", "", "copie locale de la liste de fréquences fr_50k.txt (sinon téléchargée)")
	out := flag.String("out", "internal/lexicon/data", "dossier où écrire les tables")
	flag.Parse()
	if err := run(*debs, *npm, *freq, *out); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(debs, npm, freq, out string) error {
	work, err := os.MkdirTemp("", "lexicon-gen-")
	if err != nil {
		return fmt.Errorf("dossier de travail: %w", err)
	}
	defer os.RemoveAll(work)
	if debs == "" {
		debs = work
	}
	if npm == "" {
		npm = work
	}
	root := filepath.Join(work, "root")
	for _, p := range packages {
		deb, err := fetch(p, debs)
		if err != nil {
			return err
		}
		if err := verify(p, deb); err != nil {
			return err
		}
		if out, err := exec.Command("dpkg-deb", "-x", deb, root).CombinedOutput(); err != nil {
			return fmt.Errorf("dpkg-deb -x %s: %w: %s", deb, err, out)
		}
	}
	share := filepath.Join(root, "usr", "share")
	b := lexicon.NewBuilder()
	var report strings.Builder

	// Word forms and lemmas.
	aff, err := openParse(filepath.Join(share, "hunspell", "fr.aff"), parseAffix)
	if err != nil {
		return err
	}
	dic, err := os.Open(filepath.Join(share, "hunspell", "fr.dic"))
	if err != nil {
		return fmt.Errorf("fr.dic: %w", err)
	}
	ds, err := loadDic(dic, aff, b)
	dic.Close()
	if err != nil {
		return fmt.Errorf("fr.dic: %w", err)
	}
	fmt.Fprintf(&report, "- fr.dic: %d entries read, %d left out (unit symbols, punctuation), %d (form, lemma) pairs\n",
		ds.entries, ds.skipped, ds.forms)
	families := addFamilies(b)
	fmt.Fprintf(&report, "- noun–verb families: %d links from %d suffix rules\n", families, len(derivations))

	// Thesaurus.
	raw, err := openParse(filepath.Join(share, "mythes", "thes_fr.dat"), parseMythes)
	if err != nil {
		return err
	}
	ts := addThesaurus(raw, b)
	fmt.Fprintf(&report, "- thesaurus: %d headwords read, %d lemmas kept with %d neighbours (at most %d each, cosine ≥ %.2f)\n",
		ts.headwords, ts.kept, ts.neighbours, maxNeighbours, minCosine)

	// English.
	ef, err := loadDictd(filepath.Join(share, "dictd", "freedict-eng-fra"))
	if err != nil {
		return err
	}
	for _, a := range ef {
		b.AddEnglish(a.headword, a.translations...)
	}
	fe, err := loadDictd(filepath.Join(share, "dictd", "freedict-fra-eng"))
	if err != nil {
		return err
	}
	for _, a := range fe {
		for _, en := range a.translations {
			if len(strings.Fields(en)) <= 3 {
				b.AddEnglish(en, a.headword)
			}
		}
	}
	fmt.Fprintf(&report, "- English: %d eng-fra articles, %d fra-eng articles reversed\n", len(ef), len(fe))

	t, err := b.Build()
	if err != nil {
		return err
	}
	nl, nf, ne := b.Counts()
	fmt.Fprintf(&report, "- tables: %d lemmas, %d distinct folded forms, %d English entries\n", nl, nf, ne)

	// Frequency, read through the table just built, as search reads it.
	tab, err := lexicon.Open(t.Forms, t.Lemmas, t.Thesaurus, t.EnglishIndex, t.EnglishText)
	if err != nil {
		return fmt.Errorf("tables construites: %w", err)
	}
	list, err := readSource(frequencyList, freq)
	if err != nil {
		return err
	}
	ranked, fs, err := rankLemmas(bytes.NewReader(topForms(list, frequencyForms)), tab)
	if err != nil {
		return fmt.Errorf("fr_50k.txt: %w", err)
	}
	fmt.Fprintf(&report, "- frequency: %d word forms read, %d unknown to the dictionary or proper nouns only, %d lemmas ranked\n",
		fs.forms, fs.unknown, fs.lemmas)
	ccBySA, err := readNpm(spdxLicences, npm)
	if err != nil {
		return err
	}
	ccText, err := spdxText(ccBySA)
	if err != nil {
		return fmt.Errorf("CC-BY-SA-4.0.json: %w", err)
	}

	files := []struct {
		name string
		data []byte
	}{
		{"fr-forms.fst", t.Forms}, {"fr-lemmas.bin", t.Lemmas}, {"fr-thesaurus.bin", t.Thesaurus},
		{"en-fr.fst", t.EnglishIndex}, {"en-fr.txt", t.EnglishText}, {"fr-frequency.txt", ranked},
		{filepath.Join("licences", "CC-BY-SA-4.0.txt"), []byte(ccText)},
	}
	if err := os.MkdirAll(filepath.Join(out, "licences"), 0o755); err != nil {
		return fmt.Errorf("%s: %w", out, err)
	}
	report.WriteString("\n| file | bytes |\n|---|---|\n")
	for _, f := range files {
		if err := os.WriteFile(filepath.Join(out, f.name), f.data, 0o644); err != nil {
			return fmt.Errorf("%s: %w", f.name, err)
		}
		fmt.Fprintf(&report, "| %s | %d |\n", f.name, len(f.data))
	}
	if err := copyLicences(filepath.Join(out, "licences")); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(out, "SOURCES.md"), []byte(sources(report.String())), 0o644)
}

// licenceTexts are the licences of the data, copied from Debian's
// /usr/share/common-licenses (package base-files).
var licenceTexts = []string{"MPL-2.0", "LGPL-2.1", "GPL-2"}

func copyLicences(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("%s: %w", dir, err)
	}
	for _, name := range licenceTexts {
		text, err := os.ReadFile(filepath.Join("/usr/share/common-licenses", name))
		if err != nil {
			return fmt.Errorf("texte de la licence %s: %w", name, err)
		}
		if err := os.WriteFile(filepath.Join(dir, name+".txt"), text, 0o644); err != nil {
			return fmt.Errorf("licence %s: %w", name, err)
		}
	}
	return nil
}

// sources is the generated SOURCES.md.
func sources(report string) string {
	var s strings.Builder
	s.WriteString("# Sources of the lexicon tables\n\n")
	s.WriteString("Generated by `go run ./internal/lexicon/gen` (do not edit) from these Debian packages,\n\n")
	s.WriteString("| package | version | licence of the data | sha256 of the .deb |\n|---|---|---|---|\n")
	for _, p := range packages {
		fmt.Fprintf(&s, "| %s | %s | %s | `%s` |\n", p.name, p.version, p.licence, p.sha256)
	}
	fmt.Fprintf(&s, "\nthis file (its first %d words):\n\n", frequencyForms)
	s.WriteString("| file | licence | sha256 |\n|---|---|---|\n")
	fmt.Fprintf(&s, "| [%s](%s) | %s | `%s` |\n", frequencyList.name, frequencyList.url, frequencyList.licence, frequencyList.sha256)
	s.WriteString("\nand this npm package:\n\n")
	s.WriteString("| package | version | licence of the data | sha256 of the .tgz |\n|---|---|---|---|\n")
	for _, p := range npmPackages {
		fmt.Fprintf(&s, "| %s | %s | %s | `%s` |\n", p.name, p.version, p.licence, p.sha256)
	}
	s.WriteString("\nWhat the generator read and kept:\n\n")
	s.WriteString(report)
	return s.String()
}

// fetch returns the path of a package's .deb in dir, downloading it there
// if it is not.
func fetch(p pkg, dir string) (string, error) {
	return fetchFile(dir, debName(p), "apt-get update fait ?", "apt-get", "download", p.name+"="+p.version)
}

// fetchFile returns the path of file in dir, running the command argv there
// to bring it when it is missing; hint follows a failure's message.
func fetchFile(dir, file, hint string, argv ...string) (string, error) {
	path := filepath.Join(dir, file)
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("%s (%s): %w: %s", strings.Join(argv, " "), hint, err, out)
	}
	if _, err := os.Stat(path); err != nil {
		return "", fmt.Errorf("%s introuvable après %s: %w", file, strings.Join(argv, " "), err)
	}
	return path, nil
}

// debName is the file name apt-get download gives a package.
func debName(p pkg) string {
	return p.name + "_" + strings.ReplaceAll(p.version, ":", "%3a") + "_all.deb"
}

func verify(p pkg, path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return checkPin(path, data, p.sha256)
}

// checkPin checks data against the SHA-256 it is pinned to.
func checkPin(what string, data []byte, want string) error {
	sum := sha256.Sum256(data)
	if got := hex.EncodeToString(sum[:]); got != want {
		return fmt.Errorf("%s: sha256 %s, attendu %s (nouvelle version ? mettez à jour les épinglages)", what, got, want)
	}
	return nil
}

func openParse[T any](path string, parse func(io.Reader) (T, error)) (T, error) {
	f, err := os.Open(path)
	if err != nil {
		var zero T
		return zero, fmt.Errorf("%s: %w", filepath.Base(path), err)
	}
	defer f.Close()
	v, err := parse(f)
	if err != nil {
		return v, fmt.Errorf("%s: %w", filepath.Base(path), err)
	}
	return v, nil
}

// loadDictd reads base.index and base.dict.dz (dictzip, a gzip file).
func loadDictd(base string) ([]article, error) {
	dz, err := os.Open(base + ".dict.dz")
	if err != nil {
		return nil, fmt.Errorf("dictionnaire: %w", err)
	}
	defer dz.Close()
	zr, err := gzip.NewReader(dz)
	if err != nil {
		return nil, fmt.Errorf("%s.dict.dz: %w", filepath.Base(base), err)
	}
	dict, err := io.ReadAll(io.LimitReader(zr, 64<<20))
	if err != nil {
		return nil, fmt.Errorf("%s.dict.dz: %w", filepath.Base(base), err)
	}
	if len(dict) == 64<<20 {
		return nil, errors.New(filepath.Base(base) + ".dict.dz: trop grand")
	}
	idx, err := os.Open(base + ".index")
	if err != nil {
		return nil, fmt.Errorf("index: %w", err)
	}
	defer idx.Close()
	arts, err := parseDictd(idx, dict)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Base(base), err)
	}
	return arts, nil
}
