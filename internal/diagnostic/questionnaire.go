package diagnostic

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"reflect"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"
)

// File is where a knowledge source keeps the questionnaire.
const File = "_data/diagnostic.yaml"

// Reserved question identifiers of the two opening questions.
const (
	// AudienceQuestionID asks whether the answers are for oneself or a team.
	AudienceQuestionID = "pour-qui"
	// PerimeterQuestionID asks for the responsibility perimeter.
	PerimeterQuestionID = "perimetre"
	// SkipOptionID is the option every practice question gets for "does not
	// apply / I don't know". Skipped questions do not count in scores.
	SkipOptionID = "passer"
	// Audience option identifiers.
	AudienceSelfOptionID = "moi"
	AudienceTeamOptionID = "equipe"
)

// Questionnaire is the diagnostic as content: admins edit the YAML file, not
// the code. Options of a question are listed from the least to the most
// mature practice; their position gives their score (see Score).
type Questionnaire struct {
	Version   int    `yaml:"version"`
	Title     string `yaml:"titre"`
	Intro     string `yaml:"introduction"`
	IntroTeam string `yaml:"introduction_equipe"`
	// SkipLabel is the label of the skip option added to every practice question.
	SkipLabel  string     `yaml:"passer"`
	Thresholds Thresholds `yaml:"seuils"`
	// MinAnswers is how many practice questions must be answered (not
	// skipped) for the level to mean something; below, the level is 1.
	MinAnswers int `yaml:"min_reponses"`
	// MaxTopics is how many topics a recommendation starts with (default 3).
	MaxTopics       int                   `yaml:"sujets_max"`
	Levels          []*LevelInfo          `yaml:"niveaux"`
	Dimensions      []*Dimension          `yaml:"dimensions"`
	Audience        *AudienceQuestion     `yaml:"pour_qui"`
	Perimeter       *PerimeterQuestion    `yaml:"perimetre"`
	Questions       []*Question           `yaml:"questions"`
	Recommendations []*RecommendationRule `yaml:"recommandations"`

	name string
	line int
}

// Thresholds are the overall scores (0-100) from which levels 2 and 3 apply.
type Thresholds struct {
	Level2 int `yaml:"niveau_2"`
	Level3 int `yaml:"niveau_3"`
	line   int
}

// LevelInfo names a level and the anchor of its section in path pages.
type LevelInfo struct {
	Number int    `yaml:"niveau"`
	Title  string `yaml:"titre"`
	Anchor string `yaml:"ancre"`
	line   int
}

// Dimension is a family of practices scored together.
type Dimension struct {
	ID          string `yaml:"id"`
	Title       string `yaml:"titre"`
	Description string `yaml:"description"`
	line        int
}

// AudienceQuestion asks whether one answers for oneself or for a team.
type AudienceQuestion struct {
	Text string `yaml:"texte"`
	Self string `yaml:"moi"`
	Team string `yaml:"equipe"`
	line int
}

// PerimeterQuestion asks for the responsibility perimeter; each option leads
// to a learning path.
type PerimeterQuestion struct {
	Text     string             `yaml:"texte"`
	TextTeam string             `yaml:"texte_equipe"`
	Help     string             `yaml:"aide"`
	Options  []*PerimeterOption `yaml:"options"`
	line     int
}

// PerimeterOption is one perimeter.
type PerimeterOption struct {
	ID    string   `yaml:"id"`
	Label string   `yaml:"label"`
	Words []string `yaml:"mots"`
	// Path is the learning path identifier (defaults to ID).
	Path string `yaml:"parcours"`
	// Page is the path's knowledge page, relative to the knowledge root.
	Page string `yaml:"page"`
	line int
}

// Question is a practice question.
type Question struct {
	ID        string `yaml:"id"`
	Title     string `yaml:"titre"` // short name, used in reasons
	Dimension string `yaml:"dimension"`
	// Perimeters restricts the question to some perimeters; empty means all.
	Perimeters []string  `yaml:"perimetres"`
	Text       string    `yaml:"texte"`
	TextTeam   string    `yaml:"texte_equipe"`
	Help       string    `yaml:"aide"`
	Options    []*Option `yaml:"options"`
	line       int
}

// Option is one answer on a question's ordinal scale.
type Option struct {
	ID    string `yaml:"id"`
	Label string `yaml:"label"`
	// Words are other words a typed answer may use ("souvent").
	Words []string `yaml:"mots"`
	line  int
}

// RecommendationRule gives the topics to study for a dimension at a level,
// optionally for some perimeters only (a rule naming the perimeter wins over
// a general one).
type RecommendationRule struct {
	Dimension  string   `yaml:"dimension"`
	Level      int      `yaml:"niveau"`
	Perimeters []string `yaml:"perimetres"`
	Topics     []*Topic `yaml:"sujets"`
	line       int
}

// Topic is a subject to study, linked to a knowledge page.
type Topic struct {
	Title string `yaml:"titre"`
	// Page is relative to the knowledge root, with an optional #anchor.
	Page string `yaml:"page"`
	line int
}

// Name is the file the questionnaire was read from.
func (q *Questionnaire) Name() string { return q.name }

// Dimension returns the dimension with this id, or nil.
func (q *Questionnaire) Dimension(id string) *Dimension {
	for _, d := range q.Dimensions {
		if d.ID == id {
			return d
		}
	}
	return nil
}

// Question returns the practice question with this id, or nil.
func (q *Questionnaire) Question(id string) *Question {
	for _, x := range q.Questions {
		if x.ID == id {
			return x
		}
	}
	return nil
}

// PerimeterOption returns the perimeter with this id, or nil.
func (q *Questionnaire) PerimeterOption(id string) *PerimeterOption {
	for _, p := range q.Perimeter.Options {
		if p.ID == id {
			return p
		}
	}
	return nil
}

// OptionLabel returns the label of an option of a question, the opening
// questions and the skip option included; "" when there is none.
func (q *Questionnaire) OptionLabel(questionID, optionID string) string {
	switch {
	case questionID == AudienceQuestionID && optionID == AudienceSelfOptionID:
		return q.Audience.Self
	case questionID == AudienceQuestionID && optionID == AudienceTeamOptionID:
		return q.Audience.Team
	case questionID == PerimeterQuestionID:
		if o := q.PerimeterOption(optionID); o != nil {
			return o.Label
		}
	case optionID == SkipOptionID && q.Question(questionID) != nil:
		return q.SkipLabel
	default:
		if x := q.Question(questionID); x != nil {
			if o := x.Option(optionID); o != nil {
				return o.Label
			}
		}
	}
	return ""
}

// Level returns the description of level n, or nil.
func (q *Questionnaire) Level(n int) *LevelInfo {
	for _, l := range q.Levels {
		if l.Number == n {
			return l
		}
	}
	return nil
}

// QuestionsFor lists the practice questions of a perimeter, in file order.
func (q *Questionnaire) QuestionsFor(perimeter string) []*Question {
	var out []*Question
	for _, x := range q.Questions {
		if x.AppliesTo(perimeter) {
			out = append(out, x)
		}
	}
	return out
}

// AppliesTo reports whether the question is asked in this perimeter.
func (x *Question) AppliesTo(perimeter string) bool {
	return len(x.Perimeters) == 0 || contains(x.Perimeters, perimeter)
}

// Option returns the option with this id, or nil.
func (x *Question) Option(id string) *Option {
	for _, o := range x.Options {
		if o.ID == id {
			return o
		}
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// Load reads and validates the questionnaire at name in fsys. Errors name the
// file and the line ("_data/diagnostic.yaml:12: ...").
func Load(fsys fs.FS, name string) (*Questionnaire, error) {
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, fmt.Errorf("lecture du questionnaire de diagnostic: %w", err)
	}
	return Parse(name, data)
}

// Parse decodes and validates a questionnaire; name is used in error messages.
func Parse(name string, data []byte) (*Questionnaire, error) {
	var q Questionnaire
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&q); err != nil {
		return nil, yamlError(name, err)
	}
	q.name = name
	q.applyDefaults()
	if err := q.validate(); err != nil {
		return nil, yamlError(name, err)
	}
	return &q, nil
}

func (q *Questionnaire) applyDefaults() {
	if q.MaxTopics == 0 {
		q.MaxTopics = 3
	}
	if q.SkipLabel == "" {
		q.SkipLabel = "Ne s'applique pas / je ne sais pas"
	}
	if q.Perimeter != nil {
		for _, p := range q.Perimeter.Options {
			if p != nil && p.Path == "" {
				p.Path = p.ID
			}
		}
	}
}

// lineError is a validation error at a line of the file.
type lineError struct {
	line int
	msg  string
}

func (e *lineError) Error() string {
	if e.line > 0 {
		return fmt.Sprintf("ligne %d: %s", e.line, e.msg)
	}
	return e.msg
}

func errAt(line int, format string, args ...any) error {
	return &lineError{line: line, msg: fmt.Sprintf(format, args...)}
}

var yamlLineRe = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)

// yamlError turns decoder and validation errors into "file:line: message".
func yamlError(name string, err error) error {
	var le *lineError
	if errors.As(err, &le) {
		if le.line > 0 {
			return fmt.Errorf("%s:%d: %s", name, le.line, le.msg)
		}
		return fmt.Errorf("%s: %s", name, le.msg)
	}
	var te *yaml.TypeError
	if errors.As(err, &te) {
		msgs := make([]string, len(te.Errors))
		for i, m := range te.Errors {
			msgs[i] = withFile(name, m)
		}
		return fmt.Errorf("%s", strings.Join(msgs, "\n"))
	}
	return fmt.Errorf("%s: YAML invalide: %s", name, strings.TrimPrefix(withFile(name, err.Error()), name+":"))
}

func withFile(name, msg string) string {
	if m := yamlLineRe.FindStringSubmatch(msg); m != nil {
		return fmt.Sprintf("%s:%s: %s", name, m[1], translateYAML(m[2]))
	}
	return fmt.Sprintf("%s: %s", name, msg)
}

var (
	unmarshalRe = regexp.MustCompile("^cannot unmarshal !!(\\w+) `?(.*?)`? into (.+)$")
	dupKeyRe    = regexp.MustCompile(`^mapping key "(.*)" already defined at line (\d+)$`)
)

// translateYAML puts the decoder's common messages in French.
func translateYAML(msg string) string {
	if m := dupKeyRe.FindStringSubmatch(msg); m != nil {
		return fmt.Sprintf("clé « %s » déjà définie ligne %s", m[1], m[2])
	}
	if m := unmarshalRe.FindStringSubmatch(msg); m != nil {
		want := "une valeur d'un autre type"
		switch {
		case strings.HasPrefix(m[3], "[]"):
			want = "une liste"
		case m[3] == "int":
			want = "un nombre entier"
		case m[3] == "string":
			want = "un texte"
		case strings.Contains(m[3], "diagnostic."):
			want = "une table (clé: valeur)"
		}
		return fmt.Sprintf("valeur %s « %s » invalide: %s attendu(e)", yamlKind(m[1]), m[2], want)
	}
	return msg
}

func yamlKind(tag string) string {
	switch tag {
	case "seq":
		return "liste"
	case "map":
		return "table"
	default:
		return "texte"
	}
}

// decodeStrict decodes a mapping node into v (a pointer to a struct), after
// checking that every key is one of the struct's yaml tags, and records the
// node's line. yaml.v3's KnownFields does not reach custom unmarshalers, and
// its English messages name Go types; this says "clé inconnue" with the line.
func decodeStrict(n *yaml.Node, v any, line *int) error {
	*line = n.Line
	if n.Kind != yaml.MappingNode {
		return errAt(n.Line, "une table (clé: valeur) est attendue ici")
	}
	t := reflect.TypeOf(v).Elem()
	known := map[string]bool{}
	var names []string
	for i := 0; i < t.NumField(); i++ {
		tag := strings.Split(t.Field(i).Tag.Get("yaml"), ",")[0]
		if tag != "" && tag != "-" {
			known[tag] = true
			names = append(names, tag)
		}
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if !known[k.Value] {
			return errAt(k.Line, "clé inconnue « %s » (clés possibles: %s)", k.Value, strings.Join(names, ", "))
		}
	}
	return n.Decode(v)
}

// The UnmarshalYAML methods below only route through decodeStrict.

func (q *Questionnaire) UnmarshalYAML(n *yaml.Node) error {
	type plain Questionnaire
	return decodeStrict(n, (*plain)(q), &q.line)
}

func (t *Thresholds) UnmarshalYAML(n *yaml.Node) error {
	type plain Thresholds
	return decodeStrict(n, (*plain)(t), &t.line)
}

func (l *LevelInfo) UnmarshalYAML(n *yaml.Node) error {
	type plain LevelInfo
	return decodeStrict(n, (*plain)(l), &l.line)
}

func (d *Dimension) UnmarshalYAML(n *yaml.Node) error {
	type plain Dimension
	return decodeStrict(n, (*plain)(d), &d.line)
}

func (a *AudienceQuestion) UnmarshalYAML(n *yaml.Node) error {
	type plain AudienceQuestion
	return decodeStrict(n, (*plain)(a), &a.line)
}

func (p *PerimeterQuestion) UnmarshalYAML(n *yaml.Node) error {
	type plain PerimeterQuestion
	return decodeStrict(n, (*plain)(p), &p.line)
}

func (p *PerimeterOption) UnmarshalYAML(n *yaml.Node) error {
	type plain PerimeterOption
	return decodeStrict(n, (*plain)(p), &p.line)
}

func (x *Question) UnmarshalYAML(n *yaml.Node) error {
	type plain Question
	return decodeStrict(n, (*plain)(x), &x.line)
}

func (o *Option) UnmarshalYAML(n *yaml.Node) error {
	type plain Option
	return decodeStrict(n, (*plain)(o), &o.line)
}

func (r *RecommendationRule) UnmarshalYAML(n *yaml.Node) error {
	type plain RecommendationRule
	return decodeStrict(n, (*plain)(r), &r.line)
}

func (t *Topic) UnmarshalYAML(n *yaml.Node) error {
	type plain Topic
	return decodeStrict(n, (*plain)(t), &t.line)
}

var idRe = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)

func checkID(line int, what, id string) error {
	if id == "" {
		return errAt(line, "%s sans identifiant (clé « id »)", what)
	}
	if !idRe.MatchString(id) {
		return errAt(line, "%s: identifiant « %s » invalide (minuscules sans accent, chiffres, - et _)", what, id)
	}
	return nil
}

// validate checks what the decoder cannot: required fields, unique ids,
// references between sections, and that every perimeter can reach a result
// with topics at every level.
// firstNil is the index of the first nil item of a list, -1 when none: an
// item written "-" alone decodes as nil.
func firstNil[T any](items []*T) int {
	for i, x := range items {
		if x == nil {
			return i
		}
	}
	return -1
}

// emptyItems refuses the empty items of the questionnaire's lists.
func (q *Questionnaire) emptyItems() error {
	type list struct {
		what  string
		line  int
		index int
	}
	lists := []list{{"niveaux", q.line, firstNil(q.Levels)}, {"dimensions", q.line, firstNil(q.Dimensions)},
		{"questions", q.line, firstNil(q.Questions)}, {"recommandations", q.line, firstNil(q.Recommendations)}}
	if q.Perimeter != nil {
		lists = append(lists, list{"perimetre: options", q.Perimeter.line, firstNil(q.Perimeter.Options)})
	}
	for _, x := range q.Questions {
		if x != nil {
			lists = append(lists, list{"options de la question « " + x.ID + " »", x.line, firstNil(x.Options)})
		}
	}
	for _, r := range q.Recommendations {
		if r != nil {
			lists = append(lists, list{"sujets d'une recommandation", r.line, firstNil(r.Topics)})
		}
	}
	for _, l := range lists {
		if l.index >= 0 {
			return errAt(l.line, "« %s » : l'élément n°%d est vide", l.what, l.index+1)
		}
	}
	return nil
}

func (q *Questionnaire) validate() error {
	if err := q.emptyItems(); err != nil {
		return err
	}
	if q.Version < 1 {
		return errAt(q.line, "clé « version » manquante ou invalide (entier à partir de 1)")
	}
	if strings.TrimSpace(q.Title) == "" {
		return errAt(q.line, "clé « titre » manquante")
	}
	t := q.Thresholds
	if !(0 < t.Level2 && t.Level2 < t.Level3 && t.Level3 <= 100) {
		return errAt(max(t.line, q.line), "seuils invalides: il faut 0 < niveau_2 (%d) < niveau_3 (%d) <= 100", t.Level2, t.Level3)
	}
	if q.MinAnswers < 0 || q.MaxTopics < 1 {
		return errAt(q.line, "min_reponses doit être >= 0 et sujets_max >= 1")
	}
	seenLevel := map[int]bool{}
	for _, l := range q.Levels {
		if l.Number < 1 || l.Number > 3 || seenLevel[l.Number] {
			return errAt(l.line, "niveau %d invalide ou en double (attendus: 1, 2 et 3)", l.Number)
		}
		seenLevel[l.Number] = true
		if l.Title == "" || l.Anchor == "" {
			return errAt(l.line, "niveau %d: « titre » et « ancre » sont requis", l.Number)
		}
	}
	if len(seenLevel) != 3 {
		return errAt(q.line, "la clé « niveaux » doit décrire les niveaux 1, 2 et 3")
	}

	if len(q.Dimensions) == 0 {
		return errAt(q.line, "aucune dimension définie (clé « dimensions »)")
	}
	dims := map[string]int{}
	for _, d := range q.Dimensions {
		if err := checkID(d.line, "dimension", d.ID); err != nil {
			return err
		}
		if l, ok := dims[d.ID]; ok {
			return errAt(d.line, "dimension « %s » déjà définie ligne %d", d.ID, l)
		}
		dims[d.ID] = d.line
		if d.Title == "" {
			return errAt(d.line, "dimension « %s »: « titre » manquant", d.ID)
		}
	}

	if q.Audience == nil {
		return errAt(q.line, "question « pour_qui » manquante")
	}
	if q.Audience.Text == "" || q.Audience.Self == "" || q.Audience.Team == "" {
		return errAt(q.Audience.line, "pour_qui: « texte », « moi » et « equipe » sont requis")
	}

	if q.Perimeter == nil {
		return errAt(q.line, "question « perimetre » manquante")
	}
	p := q.Perimeter
	if p.Text == "" {
		return errAt(p.line, "perimetre: « texte » manquant")
	}
	if len(p.Options) < 2 {
		return errAt(p.line, "perimetre: au moins deux options sont nécessaires")
	}
	perims := map[string]int{}
	for _, o := range p.Options {
		if err := checkID(o.line, "périmètre", o.ID); err != nil {
			return err
		}
		if l, ok := perims[o.ID]; ok {
			return errAt(o.line, "périmètre « %s » déjà défini ligne %d", o.ID, l)
		}
		perims[o.ID] = o.line
		if o.Label == "" {
			return errAt(o.line, "périmètre « %s »: « label » manquant", o.ID)
		}
		if err := checkPage(o.line, o.Page); err != nil {
			return err
		}
	}

	qids := map[string]int{}
	for _, x := range q.Questions {
		if err := checkID(x.line, "question", x.ID); err != nil {
			return err
		}
		if x.ID == AudienceQuestionID || x.ID == PerimeterQuestionID {
			return errAt(x.line, "l'identifiant « %s » est réservé", x.ID)
		}
		if l, ok := qids[x.ID]; ok {
			return errAt(x.line, "question « %s » déjà définie ligne %d", x.ID, l)
		}
		qids[x.ID] = x.line
		if _, ok := dims[x.Dimension]; !ok {
			return errAt(x.line, "question « %s »: dimension inconnue « %s » (connues: %s)", x.ID, x.Dimension, strings.Join(q.dimensionIDs(), ", "))
		}
		for _, pid := range x.Perimeters {
			if _, ok := perims[pid]; !ok {
				return errAt(x.line, "question « %s »: périmètre inconnu « %s »", x.ID, pid)
			}
		}
		if strings.TrimSpace(x.Text) == "" {
			return errAt(x.line, "question « %s »: « texte » manquant", x.ID)
		}
		if x.Title == "" {
			return errAt(x.line, "question « %s »: « titre » manquant (nom court utilisé dans les explications)", x.ID)
		}
		if len(x.Options) == 0 {
			return errAt(x.line, "question « %s » sans options", x.ID)
		}
		if len(x.Options) < 2 || len(x.Options) > 6 {
			return errAt(x.line, "question « %s »: %d option(s), il en faut de 2 à 6 (de la moins à la plus mature)", x.ID, len(x.Options))
		}
		oids := map[string]int{}
		for _, o := range x.Options {
			if err := checkID(o.line, "option", o.ID); err != nil {
				return err
			}
			if o.ID == SkipOptionID {
				return errAt(o.line, "question « %s »: l'option « %s » est ajoutée d'office, ne la déclarez pas", x.ID, SkipOptionID)
			}
			if l, ok := oids[o.ID]; ok {
				return errAt(o.line, "question « %s »: option « %s » déjà définie ligne %d", x.ID, o.ID, l)
			}
			oids[o.ID] = o.line
			if o.Label == "" {
				return errAt(o.line, "question « %s », option « %s »: « label » manquant", x.ID, o.ID)
			}
		}
	}

	for _, r := range q.Recommendations {
		if _, ok := dims[r.Dimension]; !ok {
			return errAt(r.line, "recommandation: dimension inconnue « %s »", r.Dimension)
		}
		if r.Level < 1 || r.Level > 3 {
			return errAt(r.line, "recommandation « %s »: niveau %d hors de 1-3", r.Dimension, r.Level)
		}
		for _, pid := range r.Perimeters {
			if _, ok := perims[pid]; !ok {
				return errAt(r.line, "recommandation « %s »: périmètre inconnu « %s »", r.Dimension, pid)
			}
		}
		if len(r.Topics) == 0 {
			return errAt(r.line, "recommandation « %s » niveau %d: aucun sujet", r.Dimension, r.Level)
		}
		for _, tp := range r.Topics {
			if tp.Title == "" {
				return errAt(tp.line, "sujet sans « titre »")
			}
			if err := checkPage(tp.line, tp.Page); err != nil {
				return err
			}
		}
	}

	// Every perimeter must have questions, and topics for each of its
	// dimensions at each level, or some results would recommend nothing.
	for _, o := range p.Options {
		qs := q.QuestionsFor(o.ID)
		if len(qs) == 0 {
			return errAt(o.line, "périmètre « %s » sans question", o.ID)
		}
		if len(qs) < q.MinAnswers {
			return errAt(o.line, "périmètre « %s »: %d question(s), moins que min_reponses (%d)", o.ID, len(qs), q.MinAnswers)
		}
		for _, d := range q.dimensionsFor(o.ID) {
			for lvl := 1; lvl <= 3; lvl++ {
				if q.rule(o.ID, d, lvl) == nil {
					return errAt(o.line, "périmètre « %s »: aucune recommandation pour la dimension « %s » au niveau %d", o.ID, d, lvl)
				}
			}
		}
	}
	return nil
}

// checkPage checks the form of a page link: relative to the knowledge root,
// a Markdown file, an optional anchor.
func checkPage(line int, page string) error {
	if page == "" {
		return errAt(line, "« page » manquante")
	}
	file, _, _ := strings.Cut(page, "#")
	if strings.HasPrefix(file, "/") || !strings.HasSuffix(file, ".md") || path.Clean(file) != file || strings.HasPrefix(file, "..") {
		return errAt(line, "page « %s » invalide: chemin relatif à knowledge/ vers un fichier .md attendu (ex. parcours/produit.md#niveau-1--fondamentaux)", page)
	}
	return nil
}

// CheckPages reports the linked pages missing from fsys (the knowledge base
// the questionnaire ships with), one error per missing file.
func (q *Questionnaire) CheckPages(fsys fs.FS) error {
	type link struct {
		page string
		line int
	}
	var links []link
	for _, o := range q.Perimeter.Options {
		links = append(links, link{o.Page, o.line})
	}
	for _, r := range q.Recommendations {
		for _, t := range r.Topics {
			links = append(links, link{t.Page, t.line})
		}
	}
	var errs []error
	seen := map[string]bool{}
	for _, l := range links {
		file, _, _ := strings.Cut(l.page, "#")
		if seen[file] {
			continue
		}
		seen[file] = true
		if _, err := fs.Stat(fsys, file); err != nil {
			errs = append(errs, fmt.Errorf("%s:%d: page « %s » introuvable", q.name, l.line, file))
		}
	}
	return errors.Join(errs...)
}

func (q *Questionnaire) dimensionIDs() []string {
	ids := make([]string, len(q.Dimensions))
	for i, d := range q.Dimensions {
		ids[i] = d.ID
	}
	return ids
}

// dimensionsFor lists, in file order, the dimensions a perimeter's questions cover.
func (q *Questionnaire) dimensionsFor(perimeter string) []string {
	var out []string
	for _, d := range q.Dimensions {
		for _, x := range q.QuestionsFor(perimeter) {
			if x.Dimension == d.ID {
				out = append(out, d.ID)
				break
			}
		}
	}
	return out
}

// rule finds the recommendation for a dimension at a level: one naming the
// perimeter wins over a general one.
func (q *Questionnaire) rule(perimeter, dimension string, level int) *RecommendationRule {
	var general *RecommendationRule
	for _, r := range q.Recommendations {
		if r.Dimension != dimension || r.Level != level {
			continue
		}
		if contains(r.Perimeters, perimeter) {
			return r
		}
		if len(r.Perimeters) == 0 && general == nil {
			general = r
		}
	}
	return general
}

// PathPage is the link to a perimeter's path at a level
// ("parcours/produit.md#niveau-1--fondamentaux").
func (q *Questionnaire) PathPage(perimeter string, level int) string {
	p := q.PerimeterOption(perimeter)
	if p == nil {
		return ""
	}
	if l := q.Level(level); l != nil {
		return p.Page + "#" + l.Anchor
	}
	return p.Page
}
