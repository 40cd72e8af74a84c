// Package answer is the channel-agnostic core of parcours: a question in, an
// answer out. It understands the question (filler, roles, levels), asks the
// search index for the best pages and sections, decides whether it is
// confident enough to answer, and recommends a learning path. Adapters
// (terminal, Mattermost) only render what it returns.
package answer

// Tier says how sure parcours is of an answer.
type Tier string

// The three kinds of answer. A wrong refusal costs a user more than a
// hedged answer, so what is close but not sure is shown as tentative.
const (
	TierSure      Tier = "sure"      // the first passage answers
	TierTentative Tier = "tentative" // the closest pages, said to be uncertain
	TierNone      Tier = "none"      // off-topic or nothing close: a short refusal
)

// Answer is what parcours replies to a question.
type Answer struct {
	Query string `json:"query"`
	Tier  Tier   `json:"tier"`
	// Answered is true for sure and tentative answers; when false the
	// adapters say so honestly and offer Suggestions.
	Answered   bool      `json:"answered"`
	Confidence float64   `json:"confidence"`
	Lang       string    `json:"lang"` // "fr" or "en": the language to reply in
	Passages   []Passage `json:"passages,omitempty"`
	// Path is the learning path and level that fit the question (a role the
	// user stated, or the best page's path), nil when none does.
	Path *PathRef `json:"parcours,omitempty"`
	// Suggestions are what to try next when the answer is not found.
	Suggestions []string `json:"suggestions,omitempty"`
	// Missing are the words of an unsure question that weigh most and that
	// no page holds ("ameli" in « comment créer un compte sur ameli »): a
	// tentative answer names them, so the user sees what the closest pages
	// do not cover. Common words the pages lack ("normal") are left out.
	// They are the user's words: quote them (package quote) to show them.
	Missing []string `json:"missing,omitempty"`
	// Signals are the evidence the tier and confidence come from.
	Signals *Signals `json:"-"`
}

// Shown are the passages worth showing a person: the ranking goes on
// (search --limit), but a passage far weaker than the first is noise in a
// chat reply.
func (a *Answer) Shown() []Passage {
	if len(a.Passages) == 0 {
		return nil
	}
	n := 1
	for n < len(a.Passages) && a.Passages[n].Score >= shownShare*a.Passages[0].Score {
		n++
	}
	return a.Passages[:n]
}

// shownShare is the share of the first passage's score a passage needs to
// be shown.
const shownShare = 0.4

// Passage is one piece of the knowledge base that answers the question.
type Passage struct {
	Path      string  `json:"path"`   // file path relative to its source root
	Anchor    string  `json:"anchor"` // heading anchor of the section, "" for the page top
	PageTitle string  `json:"page_title"`
	Title     string  `json:"title"`   // section title, or page title
	Excerpt   string  `json:"excerpt"` // short text, matched words in **bold**
	URL       string  `json:"url"`     // link to the section
	Score     float64 `json:"score"`
	Parcours  string  `json:"parcours,omitempty"`
	Niveau    int     `json:"niveau,omitempty"`
	// Features and Offset are the ranking evidence of a passage the index
	// ranked (nil for one a rule put first): "parcours calibrate" learns
	// the ranking from them.
	Features []float64 `json:"-"`
	Offset   float64   `json:"-"`
}

// PathRef points at a learning path, and a level of it when one fits.
type PathRef struct {
	ID         string `json:"id"`
	Title      string `json:"title"`
	Level      int    `json:"niveau,omitempty"`
	LevelTitle string `json:"niveau_title,omitempty"`
	URL        string `json:"url,omitempty"`
	// Reason says why this path was chosen ("rôle: chef de projet").
	Reason string `json:"reason,omitempty"`
}
