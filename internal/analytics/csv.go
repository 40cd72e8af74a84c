package analytics

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Names gives readable names to the identifiers stored in events; a nil
// function, or an empty answer, leaves the identifier.
type Names struct {
	Path      func(id string) string // "sre" -> "Fiabilité des services et des systèmes (SRE)"
	Dimension func(id string) string // "securite" -> "Sécurité"
	// Dimensions lists the questionnaire's dimensions in order, for columns.
	Dimensions []string
}

// PathName is the readable name of a path.
func (n Names) PathName(id string) string {
	if n.Path != nil {
		if s := n.Path(id); s != "" {
			return s
		}
	}
	if id == "" {
		return "(aucun)"
	}
	return id
}

// DimensionName is the readable name of a dimension.
func (n Names) DimensionName(id string) string {
	if n.Dimension != nil {
		if s := n.Dimension(id); s != "" {
			return s
		}
	}
	return id
}

// TierLabel is a tier in French.
func TierLabel(tier string) string {
	switch tier {
	case TierSure:
		return "sûre"
	case TierTentative:
		return "hésitante"
	}
	return "aucune"
}

// ChannelLabel is a channel kind in French.
func ChannelLabel(c Channel) string {
	switch c {
	case ChannelDM:
		return "message direct"
	case ChannelPublic:
		return "canal"
	case ChannelTerminal:
		return "terminal"
	}
	return "inconnu"
}

// CSV files of an export.
const (
	FileQuestions   = "questions.csv"
	FileFeedback    = "avis.csv"
	FileDiagnostics = "diagnostics.csv"
)

// ExportFiles are the files of an export, in order.
var ExportFiles = []string{FileQuestions, FileFeedback, FileDiagnostics}

// File is one exported file.
type File struct {
	Name string
	Data []byte
	Rows int // data rows, header aside
}

// Export writes the period's questions, feedback and diagnostics as CSV
// files.
func Export(ctx context.Context, st Store, p Period, names Names) ([]File, error) {
	var out []File
	for _, name := range ExportFiles {
		var buf bytes.Buffer
		n, err := WriteCSV(ctx, &buf, st, name, p, names)
		if err != nil {
			return nil, err
		}
		out = append(out, File{Name: name, Data: buf.Bytes(), Rows: n})
	}
	return out, nil
}

// WriteCSV writes one export file (FileQuestions, FileFeedback or
// FileDiagnostics) and returns its number of rows. The format suits a
// spreadsheet set to French: UTF-8 with a byte order mark, semicolons,
// CRLF, dates as "2006-01-02 15:04:05" in the server's time zone. A cell
// that a spreadsheet would take for a formula (=, +, -, @) is prefixed
// with an apostrophe: questions are typed by anyone.
func WriteCSV(ctx context.Context, w io.Writer, st Store, file string, p Period, names Names) (int, error) {
	var kind Kind
	switch file {
	case FileQuestions:
		kind = KindQuestion
	case FileFeedback:
		kind = KindFeedback
	case FileDiagnostics:
		kind = KindDiagnostic
	default:
		return 0, fmt.Errorf("fichier d'export inconnu « %s »", file)
	}
	var events []Event
	identity := false
	dims := slices.Clone(names.Dimensions)
	err := st.Scan(ctx, kind, p.From, p.To.Add(time.Nanosecond), func(e *Event) error {
		c := *e
		c.Dimensions = slices.Clone(e.Dimensions)
		events = append(events, c)
		identity = identity || e.User != ""
		for _, d := range e.Dimensions {
			if !slices.Contains(dims, d.Dimension) {
				dims = append(dims, d.Dimension)
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("export %s: %w", file, err)
	}
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return 0, err
	}
	cw := csv.NewWriter(w)
	cw.Comma = ';'
	cw.UseCRLF = true
	var header []string
	switch kind {
	case KindQuestion:
		header = []string{"date", "question", "réponse", "page", "titre de la page", "canal"}
	case KindFeedback:
		header = []string{"date", "page", "titre de la page", "avis"}
	case KindDiagnostic:
		header = []string{"date", "parcours", "niveau", "périmètre", "score global", "équipe", "pour une équipe", "incomplet"}
		for _, d := range dims {
			header = append(header, "score "+names.DimensionName(d))
		}
	}
	if identity {
		header = append(header, "utilisateur")
	}
	if err := cw.Write(header); err != nil {
		return 0, err
	}
	row := make([]string, 0, len(header))
	for _, e := range events {
		row = append(row[:0], e.At.In(p.From.Location()).Format("2006-01-02 15:04:05"))
		switch kind {
		case KindQuestion:
			row = append(row, e.Text, TierLabel(e.Tier), e.Page, e.Title, ChannelLabel(e.Channel))
		case KindFeedback:
			verdict := "pas utile"
			if e.Useful {
				verdict = "utile"
			}
			row = append(row, e.Page, e.Title, verdict)
		case KindDiagnostic:
			row = append(row, names.PathName(e.Path), strconv.Itoa(e.Level), e.Perimeter, strconv.Itoa(e.Overall),
				e.Team, yesNo(e.TeamMode), yesNo(e.Incomplete))
			for _, d := range dims {
				v := ""
				for _, s := range e.Dimensions {
					if s.Dimension == d {
						v = strconv.Itoa(s.Score)
					}
				}
				row = append(row, v)
			}
		}
		if identity {
			row = append(row, e.User)
		}
		for i, c := range row {
			row[i] = SafeCell(c)
		}
		if err := cw.Write(row); err != nil {
			return 0, err
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return 0, fmt.Errorf("export %s: %w", file, err)
	}
	return len(events), nil
}

// SafeCell keeps a spreadsheet from running a cell as a formula, and
// strips the control characters a question should not hold.
func SafeCell(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 && r != '\n' && r != '\t' || r == 0x7f {
			return -1
		}
		return r
	}, s)
	if s != "" && strings.ContainsRune("=+-@\t\r|", rune(s[0])) {
		return "'" + s
	}
	return s
}

func yesNo(b bool) string {
	if b {
		return "oui"
	}
	return "non"
}
