package main

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// The FreeDict dictionaries in dictd format: an index of
// "headword\toffset\tlength" lines (numbers in dictd's base 64) into the
// uncompressed .dict text. An article is the headword line ("keep /kiːp/",
// "conserver /kɔ̃sɛʀve/ <v>") followed by sense lines ("1. garder,
// protéger" or "garder").

const b64digits = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

// dictdNumber decodes a dictd base-64 number.
func dictdNumber(s string) (int, error) {
	if s == "" || len(s) > 5 {
		return 0, fmt.Errorf("nombre %q", s)
	}
	n := 0
	for i := 0; i < len(s); i++ {
		d := strings.IndexByte(b64digits, s[i])
		if d < 0 {
			return 0, fmt.Errorf("nombre %q", s)
		}
		n = n*64 + d
	}
	return n, nil
}

// article is one dictionary entry: a headword and its translations, in
// the order of the senses.
type article struct {
	headword     string
	translations []string
}

// parseDictd reads an index and its uncompressed dictionary text.
func parseDictd(index io.Reader, dict []byte) ([]article, error) {
	var out []article
	sc := bufio.NewScanner(index)
	sc.Buffer(make([]byte, 0, 64*1024), 1024*1024)
	line := 0
	for sc.Scan() {
		line++
		f := strings.Split(sc.Text(), "\t")
		if len(f) != 3 {
			return nil, fmt.Errorf("index, ligne %d: trois champs attendus", line)
		}
		if strings.HasPrefix(f[0], "00database") || strings.HasPrefix(f[0], "00-database") {
			continue
		}
		off, err := dictdNumber(f[1])
		if err != nil {
			return nil, fmt.Errorf("index, ligne %d: %w", line, err)
		}
		n, err := dictdNumber(f[2])
		if err != nil {
			return nil, fmt.Errorf("index, ligne %d: %w", line, err)
		}
		if off > len(dict) || n > len(dict)-off {
			return nil, fmt.Errorf("index, ligne %d: article hors du dictionnaire", line)
		}
		// The index holds the headword with its punctuation removed
		// ("fairepart"); the article's first line spells it.
		lines := strings.Split(string(dict[off:off+n]), "\n")
		a := article{headword: headword(lines[0])}
		if a.headword == "" {
			a.headword = normalizeDash(strings.TrimSpace(f[0]))
		}
		for _, l := range lines[1:] { // lines[0] is the headword line
			a.translations = append(a.translations, splitSense(l)...)
		}
		if a.headword != "" && len(a.translations) > 0 {
			out = append(out, a)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("index: %w", err)
	}
	return out, nil
}

// headword returns the headword of an article's first line, without its
// pronunciation ("/kiːp/") or part of speech ("<v>").
func headword(line string) string {
	for _, sep := range []string{" /", " <"} {
		if i := strings.Index(line, sep); i >= 0 {
			line = line[:i]
		}
	}
	return strings.Join(strings.Fields(normalizeDash(line)), " ")
}

// splitSense splits a sense line ("2. faire-part, renseignement") into its
// translations, without the sense number or parenthesised notes.
func splitSense(l string) []string {
	l = strings.TrimSpace(normalizeDash(l))
	if i := strings.Index(l, ". "); i > 0 && i <= 3 && strings.Trim(l[:i], "0123456789") == "" {
		l = l[i+2:]
	}
	for {
		i := strings.IndexByte(l, '(')
		j := strings.IndexByte(l, ')')
		if i < 0 || j < i {
			break
		}
		l = l[:i] + l[j+1:]
	}
	var out []string
	for _, part := range strings.FieldsFunc(l, func(r rune) bool { return r == ',' || r == ';' }) {
		part = strings.Join(strings.Fields(part), " ")
		if part != "" && !strings.ContainsAny(part, "()<>[]|/") {
			out = append(out, part)
		}
	}
	return out
}

// normalizeDash turns the Unicode hyphen FreeDict uses into "-".
func normalizeDash(s string) string {
	return strings.NewReplacer("\u2010", "-", "\u2011", "-").Replace(s)
}
