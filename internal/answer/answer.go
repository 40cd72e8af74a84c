// Package answer is the channel-agnostic core of parcours: a question in, an
// answer out. It understands the question (filler, roles, levels), asks the
// search index for the best pages and sections, decides whether it is
// confident enough to answer, and recommends a learning path. Adapters
// (terminal, Mattermost) only render what it returns.
package answer

// Answer is what parcours replies to a question.
type Answer struct {
	Query string `json:"query"`
	// Answered is false when nothing reached the confidence threshold: the
	// adapters then say so honestly and offer Suggestions.
	Answered   bool      `json:"answered"`
	Confidence float64   `json:"confidence"`
	Lang       string    `json:"lang"` // "fr" or "en": the language to reply in
	Passages   []Passage `json:"passages,omitempty"`
	// Path is the learning path and level that fit the question (a role the
	// user stated, or the best page's path), nil when none does.
	Path *PathRef `json:"parcours,omitempty"`
	// Suggestions are what to try next when the answer is not found.
	Suggestions []string `json:"suggestions,omitempty"`
}

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
