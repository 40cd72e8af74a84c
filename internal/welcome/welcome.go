// Package welcome renders the welcome message sent to newcomers, from the
// knowledge base's _data/bienvenue.md, so that admins change the text
// without a rebuild.
//
// The text may quote the organisation's data like a page does
// ("{{ site.data.organisation.support.canal }}"): Load replaces those
// references (see kb.ReadDataFile); Parse expects them replaced.
package welcome

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/cloud-pi-native/parcours/internal/kb"
	"github.com/cloud-pi-native/parcours/internal/quote"
)

// File is where a knowledge source keeps the welcome text.
const File = "_data/bienvenue.md"

// Message is the welcome template: Markdown with {{nom}} and {{equipe}}, and
// the labels of the buttons the adapters add under it.
type Message struct {
	body    string
	Buttons Buttons
}

// Buttons are the labels of the welcome's actions.
type Buttons struct {
	Diagnostic string `yaml:"diagnostic"` // start the diagnostic
	Paths      string `yaml:"parcours"`   // see the learning paths
	Question   string `yaml:"question"`   // ask a question
}

// Vars are the values put in the template. Name and Team are plain text:
// they are escaped, never interpreted.
type Vars struct {
	Name string // display name of the newcomer
	Team string // display name of the team
	// Typed says the choices are typed by their number (a terminal), not
	// clicked: {{choix}} says so.
	Typed bool
}

// Variables of the template.
var variables = map[string]bool{"nom": true, "equipe": true, "choix": true}

type frontMatter struct {
	Buttons Buttons `yaml:"boutons"`
}

var placeholderRe = regexp.MustCompile(`\{\{\s*([^{}]*?)\s*\}\}`)

// Load reads and checks the welcome of the first source that has one, else
// the shipped one, with the organisation's values (_data/organisation.yaml)
// in place of its {{ site.data.* }} references. The warnings name the values
// nobody set (a neutral text stands in for them).
func Load(sources []kb.Source) (*Message, []kb.Warning, error) {
	data, warns, err := kb.ReadDataFile(sources, File)
	if err != nil {
		return nil, nil, fmt.Errorf("lecture du message de bienvenue: %w", err)
	}
	m, err := Parse(File, data)
	if err != nil {
		return nil, nil, err
	}
	return m, warns, nil
}

// Parse reads a welcome: optional YAML front matter between "---" lines,
// then the Markdown body. Errors name the file and line.
func Parse(name string, data []byte) (*Message, error) {
	text := strings.ReplaceAll(string(data), "\r\n", "\n")
	m := &Message{Buttons: Buttons{
		Diagnostic: "Faire le diagnostic",
		Paths:      "Voir les parcours",
		Question:   "Poser une question",
	}}
	bodyLine := 1
	if strings.HasPrefix(text, "---\n") {
		end := strings.Index(text[4:], "\n---\n")
		if end < 0 {
			return nil, fmt.Errorf("%s:1: en-tête « --- » non refermé", name)
		}
		fm := text[4 : 4+end+1]
		var f frontMatter
		f.Buttons = m.Buttons
		dec := yaml.NewDecoder(bytes.NewReader([]byte(fm)))
		dec.KnownFields(true)
		if err := dec.Decode(&f); err != nil && !errors.Is(err, io.EOF) {
			return nil, frontMatterError(name, err)
		}
		m.Buttons = f.Buttons
		text = text[4+end+5:]
		bodyLine = strings.Count(string(data[:len(data)-len(text)]), "\n") + 1
	}
	m.body = strings.TrimSpace(text)
	if m.body == "" {
		return nil, fmt.Errorf("%s: texte de bienvenue vide", name)
	}
	for i, line := range strings.Split(text, "\n") {
		for _, sub := range placeholderRe.FindAllStringSubmatch(line, -1) {
			if !variables[sub[1]] {
				return nil, fmt.Errorf("%s:%d: variable inconnue « %s » (connues: {{nom}}, {{equipe}}, {{choix}})", name, bodyLine+i, sub[0])
			}
		}
	}
	return m, nil
}

var (
	yamlLineRe     = regexp.MustCompile(`line (\d+): (.*)`)
	unknownFieldRe = regexp.MustCompile(`field (\S+) not found`)
)

// frontMatterError reports a front matter error at its line in the file
// (the front matter starts on line 2).
func frontMatterError(name string, err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	msg = strings.TrimPrefix(msg, "unmarshal errors:\n  ")
	if m := yamlLineRe.FindStringSubmatch(msg); m != nil {
		var n int
		fmt.Sscan(m[1], &n)
		detail := m[2]
		if f := unknownFieldRe.FindStringSubmatch(detail); f != nil {
			detail = fmt.Sprintf("clé inconnue « %s »", f[1])
		}
		return fmt.Errorf("%s:%d: en-tête invalide: %s", name, n+1, detail)
	}
	return fmt.Errorf("%s: en-tête invalide: %s", name, msg)
}

// Render puts the newcomer's name and team in the text, as plain text:
// Markdown in a name is escaped and mentions are defused, and the
// replacement is one pass, so a name holding "{{equipe}}" stays as is.
func (m *Message) Render(v Vars) string {
	name := Escape(v.Name)
	if name == "" {
		name = "à vous"
	}
	team := Escape(v.Team)
	if team == "" {
		team = "l'équipe"
	}
	choose := "choisissez un bouton ci-dessous"
	if v.Typed {
		choose = "tapez le numéro d'un choix ci-dessous"
	}
	return placeholderRe.ReplaceAllStringFunc(m.body, func(p string) string {
		switch placeholderRe.FindStringSubmatch(p)[1] {
		case "nom":
			return name
		case "choix":
			return choose
		}
		return team
	})
}

// Text is the raw template, for an admin preview.
func (m *Message) Text() string { return m.body }

// maxName bounds what a display name may take in the message.
const maxName = 80

// Escape makes a user-controlled string safe to put in Markdown as text
// (see quote.Text): one line, no control characters, Markdown escaped,
// mentions defused, at most maxName characters.
func Escape(s string) string { return quote.Text(s, maxName) }
