package analytics

import (
	"context"
	"fmt"
	"sort"
	"time"
)

// Report is what happened over a period, for `/parcours stats`, the
// dashboard and the team views.
type Report struct {
	Period Period

	Questions int
	Tiers     TierCounts
	Channels  map[Channel]int
	// Days holds one entry per day of the period, in order.
	Days []Day
	// Unanswered are the questions that found nothing, grouped.
	Unanswered []Group

	Feedback FeedbackCounts
	// Pages are the pages that received feedback or were shown first,
	// the most found useful first.
	Pages []PageStats

	Diagnostics int
	// Paths counts the diagnostics by advised path and level.
	Paths []PathLevels
	// Teams are the named teams' diagnostics over time, by name.
	Teams []Team

	Welcomes int
}

// TierCounts counts questions by tier.
type TierCounts struct {
	Sure, Tentative, None int
}

func (t *TierCounts) add(tier string) {
	switch tier {
	case TierSure:
		t.Sure++
	case TierTentative:
		t.Tentative++
	default:
		t.None++
	}
}

// Total is the number of questions counted.
func (t TierCounts) Total() int { return t.Sure + t.Tentative + t.None }

// Day is one day of the period.
type Day struct {
	Date     time.Time
	Tiers    TierCounts
	Welcomes int
}

// FeedbackCounts counts verdicts.
type FeedbackCounts struct {
	Useful, NotUseful int
}

// Total is the number of verdicts.
func (f FeedbackCounts) Total() int { return f.Useful + f.NotUseful }

// PageStats is what users said of a page.
type PageStats struct {
	Page, Title string
	FeedbackCounts
	// Shown is how many questions this page answered first.
	Shown int
}

// PathLevels counts diagnostics of a path by level (index 0 is level 1).
type PathLevels struct {
	Path   string
	Levels [3]int
}

// Total is the number of diagnostics of the path.
func (p PathLevels) Total() int { return p.Levels[0] + p.Levels[1] + p.Levels[2] }

// Team is a named team's diagnostics over the period, oldest first.
type Team struct {
	Name   string
	Points []TeamPoint
}

// TeamPoint is one diagnostic of a team.
type TeamPoint struct {
	At         time.Time
	Path       string
	Level      int
	Overall    int
	Dimensions []Score
}

// Latest is the team's latest diagnostic.
func (t Team) Latest() TeamPoint { return t.Points[len(t.Points)-1] }

// Build aggregates the events of the period from st.
func Build(ctx context.Context, st Store, p Period) (*Report, error) {
	r := &Report{Period: p, Channels: map[Channel]int{}, Days: make([]Day, p.Days)}
	for i, d := range p.Dates() {
		r.Days[i].Date = d
	}
	to := p.To.Add(time.Nanosecond)
	pages := map[string]*PageStats{}
	page := func(path, title string) *PageStats {
		ps := pages[path]
		if ps == nil {
			ps = &PageStats{Page: path}
			pages[path] = ps
		}
		if title != "" {
			ps.Title = title
		}
		return ps
	}
	grouper := NewGrouper()
	err := st.Scan(ctx, KindQuestion, p.From, to, func(e *Event) error {
		r.Questions++
		r.Tiers.add(e.Tier)
		r.Channels[e.Channel]++
		if i := p.dayIndex(e.At); i >= 0 {
			r.Days[i].Tiers.add(e.Tier)
		}
		if e.Tier == TierNone || e.Tier == "" {
			grouper.Add(e.Text, e.Key, e.At)
		} else if e.Page != "" {
			page(e.Page, e.Title).Shown++
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("lecture des questions: %w", err)
	}
	r.Unanswered = grouper.Groups()

	err = st.Scan(ctx, KindFeedback, p.From, to, func(e *Event) error {
		ps := page(e.Page, e.Title)
		if e.Useful {
			r.Feedback.Useful++
			ps.Useful++
		} else {
			r.Feedback.NotUseful++
			ps.NotUseful++
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("lecture des avis: %w", err)
	}
	for _, ps := range pages {
		if ps.Page != "" {
			r.Pages = append(r.Pages, *ps)
		}
	}
	sort.Slice(r.Pages, func(i, j int) bool {
		a, b := r.Pages[i], r.Pages[j]
		if a.Useful-a.NotUseful != b.Useful-b.NotUseful {
			return a.Useful-a.NotUseful > b.Useful-b.NotUseful
		}
		if a.Shown != b.Shown {
			return a.Shown > b.Shown
		}
		return a.Page < b.Page
	})

	paths := map[string]*PathLevels{}
	teams := map[string]*Team{}
	err = st.Scan(ctx, KindDiagnostic, p.From, to, func(e *Event) error {
		r.Diagnostics++
		pl := paths[e.Path]
		if pl == nil {
			pl = &PathLevels{Path: e.Path}
			paths[e.Path] = pl
		}
		if e.Level >= 1 && e.Level <= 3 {
			pl.Levels[e.Level-1]++
		}
		if e.Team != "" {
			key := TeamKey(e.Team)
			t := teams[key]
			if t == nil {
				t = &Team{Name: e.Team}
				teams[key] = t
			}
			t.Name = e.Team // the latest spelling
			t.Points = append(t.Points, TeamPoint{At: e.At, Path: e.Path, Level: e.Level, Overall: e.Overall,
				Dimensions: append([]Score(nil), e.Dimensions...)})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("lecture des diagnostics: %w", err)
	}
	for _, pl := range paths {
		r.Paths = append(r.Paths, *pl)
	}
	sort.Slice(r.Paths, func(i, j int) bool {
		if r.Paths[i].Total() != r.Paths[j].Total() {
			return r.Paths[i].Total() > r.Paths[j].Total()
		}
		return r.Paths[i].Path < r.Paths[j].Path
	})
	for _, t := range teams {
		r.Teams = append(r.Teams, *t)
	}
	sort.Slice(r.Teams, func(i, j int) bool { return TeamKey(r.Teams[i].Name) < TeamKey(r.Teams[j].Name) })

	err = st.Scan(ctx, KindWelcome, p.From, to, func(e *Event) error {
		r.Welcomes++
		if i := p.dayIndex(e.At); i >= 0 {
			r.Days[i].Welcomes++
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("lecture des accueils: %w", err)
	}
	return r, nil
}

// MostUseful are the pages found useful at least once, the most useful
// first (at most n).
func (r *Report) MostUseful(n int) []PageStats {
	var out []PageStats
	for _, p := range r.Pages {
		if p.Useful > 0 && p.Useful >= p.NotUseful {
			out = append(out, p)
		}
	}
	return head(out, n)
}

// LeastUseful are the pages found not useful at least once, the most
// criticised first (at most n).
func (r *Report) LeastUseful(n int) []PageStats {
	var out []PageStats
	for _, p := range r.Pages {
		if p.NotUseful > 0 && p.NotUseful > p.Useful-p.NotUseful {
			out = append(out, p)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.NotUseful-a.Useful != b.NotUseful-b.Useful {
			return a.NotUseful-a.Useful > b.NotUseful-b.Useful
		}
		return a.NotUseful > b.NotUseful
	})
	return head(out, n)
}

func head[T any](s []T, n int) []T {
	if n > 0 && len(s) > n {
		return s[:n]
	}
	return s
}

// Percent is n out of total as a whole percentage (0 when total is 0).
func Percent(n, total int) int {
	if total == 0 {
		return 0
	}
	return (200*n + total) / (2 * total)
}
