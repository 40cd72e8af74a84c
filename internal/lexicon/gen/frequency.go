package main

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/cloud-pi-native/parcours/internal/lexicon"
)

// How common a word is in general French comes from Hermit Dave's
// frequency lists of the OpenSubtitles 2018 corpus (French film and series
// subtitles: spoken, everyday French, nearer to chat than news), pinned by
// commit and SHA-256. The licence text of that data (CC-BY-SA-4.0) comes
// from the npm package spdx-license-list, pinned by the SHA-256 of its
// tarball.
type source struct {
	name, url, sha256, licence string
}

var frequencyList = source{"hermitdave/FrequencyWords content/2018/fr/fr_50k.txt",
	"https://raw.githubusercontent.com/hermitdave/FrequencyWords/525f9b560de45753a5ea01069454e72e9aa541c6/content/2018/fr/fr_50k.txt",
	"f81f7c570b6433764da99aa30f4dfb08d81c5926301377b709af23a13b1f9596", "CC-BY-SA-4.0"}

// frequencyForms is how many of the most frequent forms are read. Learned
// without each training file, the off-topic questions refused when 4 % of
// real ones are: 90.0 % with 5,000, 90.3 % with 10,000, 20,000 or 50,000.
const frequencyForms = 10000

type npmPkg struct {
	name, version, sha256, licence string
	file                           string // the file read inside the tarball
}

var (
	spdxLicences = npmPkg{"spdx-license-list", "6.12.0",
		"54cc8d13086187333ca1457c8edaa06d9a412144f076aa7f7c1b59c4f3b0a1ef", "CC0-1.0", "package/licenses/CC-BY-SA-4.0.json"}
	npmPackages = []npmPkg{spdxLicences}
)

// readSource returns a pinned file: the local copy when path is set, else
// the download, checked against its SHA-256 either way.
func readSource(s source, path string) ([]byte, error) {
	var data []byte
	var err error
	if path != "" {
		data, err = os.ReadFile(path)
	} else {
		data, err = download(s.url)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", s.name, err)
	}
	if err := checkPin(s.name, data, s.sha256); err != nil {
		return nil, err
	}
	return data, nil
}

func download(url string) ([]byte, error) {
	resp, err := http.Get(url)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return io.ReadAll(io.LimitReader(resp.Body, 64<<20))
}

// topForms returns the first n words of a frequency list, one "word count"
// a line, most frequent first, one word a line.
func topForms(list []byte, n int) []byte {
	var out bytes.Buffer
	sc := bufio.NewScanner(bytes.NewReader(list))
	for i := 0; i < n && sc.Scan(); i++ {
		if f := strings.Fields(sc.Text()); len(f) > 0 {
			out.WriteString(f[0])
			out.WriteByte('\n')
		}
	}
	return out.Bytes()
}

// fetchNpm returns the path of a package's tarball in dir, running
// "npm pack" there if it is not.
func fetchNpm(p npmPkg, dir string) (string, error) {
	return fetchFile(dir, p.name+"-"+p.version+".tgz", "registre npm joignable ?", "npm", "pack", p.name+"@"+p.version)
}

// readNpm returns the content of the package's file, after checking the
// tarball against its pin.
func readNpm(p npmPkg, dir string) ([]byte, error) {
	path, err := fetchNpm(p, dir)
	if err != nil {
		return nil, err
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if err := checkPin(path, raw, p.sha256); err != nil {
		return nil, err
	}
	data, err := tarFile(bytes.NewReader(raw), p.file)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Base(path), err)
	}
	return data, nil
}

// tarFile reads one file of a gzipped tarball, up to 16 MB.
func tarFile(r io.Reader, name string) ([]byte, error) {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return nil, err
	}
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%s absent de l'archive", name)
		}
		if err != nil {
			return nil, err
		}
		if h.Name != name {
			continue
		}
		const limit = 16 << 20
		b, err := io.ReadAll(io.LimitReader(tr, limit+1))
		if err != nil {
			return nil, err
		}
		if len(b) > limit {
			return nil, fmt.Errorf("%s: trop grand", name)
		}
		return b, nil
	}
}

// frequencyStats says what rankLemmas read and kept.
type frequencyStats struct {
	forms, unknown, lemmas int
}

// rankLemmas turns a list of word forms, most frequent first, into the list
// of their lemmas in the order of their most frequent form, one a line.
// Forms the dictionary does not know, or knows only as proper nouns
// ("Bruxelles", "FGTB"), are left out: they say nothing of how common a word
// of a question is.
func rankLemmas(list io.Reader, t *lexicon.Table) ([]byte, frequencyStats, error) {
	var st frequencyStats
	var out bytes.Buffer
	seen := map[string]bool{}
	sc := bufio.NewScanner(list)
	for sc.Scan() {
		w := strings.TrimSpace(sc.Text())
		if w == "" {
			continue
		}
		st.forms++
		// The list's forms are spelled right: "de" is not "dé".
		readings := t.LookupSpelled(w)
		if i := strings.LastIndexAny(w, "'’"); len(readings) == 0 && i >= 0 {
			_, n := utf8.DecodeRuneInString(w[i:])
			readings = t.LookupSpelled(w[i+n:]) // "l'information"
		}
		kept := false
		for _, r := range readings {
			if r.POS&^lexicon.ProperNoun == 0 || strings.ContainsAny(r.Lemma, "\n\r") {
				continue
			}
			kept = true
			if seen[r.Lemma] {
				continue
			}
			seen[r.Lemma] = true
			out.WriteString(r.Lemma)
			out.WriteByte('\n')
			st.lemmas++
		}
		if !kept {
			st.unknown++
		}
	}
	if err := sc.Err(); err != nil {
		return nil, st, err
	}
	return out.Bytes(), st, nil
}

// spdxText is the licence text of a license file of spdx-license-list.
func spdxText(b []byte) (string, error) {
	var l struct {
		LicenseText string `json:"licenseText"`
	}
	if err := json.Unmarshal(b, &l); err != nil {
		return "", err
	}
	if l.LicenseText == "" {
		return "", errors.New("texte de licence vide")
	}
	return l.LicenseText, nil
}
