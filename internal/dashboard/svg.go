package dashboard

import (
	"fmt"
	"html"
	"html/template"
	"math"
	"strconv"
	"strings"
	"time"
)

// Charts are SVG drawn here, on the server: no script, no font, no request
// to anyone. Each has a viewBox and no fixed width, so it scales to the
// page (a phone's included); text sizes are in viewBox units. Each mark
// carries its value in data-* attributes and a <title> (the browser's
// tooltip, and what a screen reader and the tests read).

// Colours of the tiers and levels: readable on white, told apart without
// colour too (the tooltips, the legends, the tables).
const (
	colSure      = "#18753c"
	colTentative = "#b34000"
	colNone      = "#ce0500"
	colAxis      = "#666"
	colGrid      = "#ddd"
)

var levelColours = [3]string{"#a6c8ff", "#4b7bd8", "#000091"}

// palette colours the dimensions of the team charts.
var palette = []string{"#000091", "#18753c", "#b34000", "#ce0500", "#6a6af4", "#009081", "#a558a0", "#695240"}

type svg struct {
	b strings.Builder
}

func (s *svg) open(w, h int, class, label string) {
	fmt.Fprintf(&s.b, `<svg class="%s" viewBox="0 0 %d %d" role="img" aria-label="%s" xmlns="http://www.w3.org/2000/svg">`,
		class, w, h, esc(label))
	fmt.Fprintf(&s.b, `<title>%s</title>`, esc(label))
}

func (s *svg) close() template.HTML {
	s.b.WriteString("</svg>")
	return template.HTML(s.b.String())
}

func (s *svg) raw(format string, a ...any) { fmt.Fprintf(&s.b, format, a...) }

// text writes a text element; anchor is start, middle or end.
func (s *svg) text(x, y float64, size int, anchor, fill, t string) {
	fmt.Fprintf(&s.b, `<text x="%s" y="%s" font-size="%d" text-anchor="%s" fill="%s">%s</text>`,
		num(x), num(y), size, anchor, fill, esc(t))
}

func esc(s string) string { return html.EscapeString(s) }

func num(f float64) string { return strconv.FormatFloat(math.Round(f*10)/10, 'f', -1, 64) }

// niceMax rounds a maximum up to 1, 2 or 5 times a power of ten, so that
// the axis has round graduations; never below 1.
func niceMax(v int) int {
	if v <= 1 {
		return 1
	}
	p := 1
	for p*10 < v {
		p *= 10
	}
	for _, m := range []int{1, 2, 5, 10} {
		if m*p >= v {
			return m * p
		}
	}
	return 10 * p
}

// dayBar is one day of the questions chart.
type dayBar struct {
	Date                  time.Time
	Sure, Tentative, None int
}

// questionsChart draws the questions per day, stacked by tier.
func questionsChart(days []dayBar) template.HTML {
	const w, h, left, right, top, bottom = 720, 260, 40, 8, 12, 36
	maxv := 0
	for _, d := range days {
		maxv = max(maxv, d.Sure+d.Tentative+d.None)
	}
	ymax := niceMax(maxv)
	var s svg
	s.open(w, h, "graphique questions", "Questions par jour, par niveau de réponse")
	plotW, plotH := float64(w-left-right), float64(h-top-bottom)
	y := func(v int) float64 { return top + plotH - plotH*float64(v)/float64(ymax) }
	grid := []int{0, ymax}
	if ymax > 1 && ymax%2 == 0 {
		grid = []int{0, ymax / 2, ymax}
	}
	for _, g := range grid {
		s.raw(`<line x1="%d" x2="%d" y1="%s" y2="%s" stroke="%s" stroke-width="1"/>`, left, w-right, num(y(g)), num(y(g)), colGrid)
		s.text(left-4, y(g)+4, 13, "end", colAxis, strconv.Itoa(g))
	}
	n := max(len(days), 1)
	slot := plotW / float64(n)
	bw := math.Max(slot*0.7, 1)
	every := (n + 7) / 8 // about eight date labels
	for i, d := range days {
		x := left + slot*float64(i) + (slot-bw)/2
		total := d.Sure + d.Tentative + d.None
		s.raw(`<g class="jour" data-jour="%s" data-sure="%d" data-hesitante="%d" data-aucune="%d">`,
			d.Date.Format("2006-01-02"), d.Sure, d.Tentative, d.None)
		s.raw(`<title>%s : %s</title>`, esc(frDate(d.Date, true)), esc(dayDetail(d, total)))
		base := 0
		for _, seg := range []struct {
			v    int
			col  string
			name string
		}{{d.Sure, colSure, "sure"}, {d.Tentative, colTentative, "hesitante"}, {d.None, colNone, "aucune"}} {
			if seg.v == 0 {
				continue
			}
			s.raw(`<rect class="%s" x="%s" y="%s" width="%s" height="%s" fill="%s"/>`,
				seg.name, num(x), num(y(base+seg.v)), num(bw), num(y(base)-y(base+seg.v)), seg.col)
			base += seg.v
		}
		s.raw(`</g>`)
		// Regular labels, and always the last day (today) unless one is
		// too close to it.
		if i == n-1 || i%every == 0 && n-1-i >= (every+1)/2 {
			s.text(x+bw/2, float64(h-bottom+18), 13, "middle", colAxis, frDate(d.Date, false))
		}
	}
	s.raw(`<line x1="%d" x2="%d" y1="%s" y2="%s" stroke="%s"/>`, left, w-right, num(y(0)), num(y(0)), colAxis)
	return s.close()
}

func dayDetail(d dayBar, total int) string {
	if total == 0 {
		return "aucune question"
	}
	return fmt.Sprintf("%s (%d sûre%s, %d hésitante%s, %d sans réponse)", plural(total, "question"),
		d.Sure, pl(d.Sure), d.Tentative, pl(d.Tentative), d.None)
}

// pathBar is one path of the diagnostics chart.
type pathBar struct {
	ID, Title string
	Levels    [3]int
}

// pathsChart draws the diagnostics per path, stacked by level.
func pathsChart(paths []pathBar) template.HTML {
	const rowH, labelW, w = 42, 0, 720
	h := 24 + rowH*max(len(paths), 1) + 24
	maxv := 0
	for _, p := range paths {
		maxv = max(maxv, p.Levels[0]+p.Levels[1]+p.Levels[2])
	}
	ymax := niceMax(maxv)
	var s svg
	s.open(w, h, "graphique parcours", "Diagnostics par parcours conseillé et par niveau")
	plotW := float64(w - 16 - labelW)
	for i, p := range paths {
		y0 := float64(24 + i*rowH)
		total := p.Levels[0] + p.Levels[1] + p.Levels[2]
		s.raw(`<g class="parcours" data-parcours="%s" data-niveau1="%d" data-niveau2="%d" data-niveau3="%d">`,
			esc(p.ID), p.Levels[0], p.Levels[1], p.Levels[2])
		s.raw(`<title>%s : %s (niveau 1 : %d, niveau 2 : %d, niveau 3 : %d)</title>`, esc(p.Title), plural(total, "diagnostic"),
			p.Levels[0], p.Levels[1], p.Levels[2])
		s.text(0, y0-5, 15, "start", "#1e1e1e", fmt.Sprintf("%s · %d", p.Title, total))
		x := 0.0
		for l, v := range p.Levels {
			if v == 0 {
				continue
			}
			bw := plotW * float64(v) / float64(ymax)
			s.raw(`<rect class="niveau%d" x="%s" y="%s" width="%s" height="16" fill="%s"/>`, l+1, num(x), num(y0), num(bw), levelColours[l])
			x += bw
		}
		s.raw(`</g>`)
	}
	// legend
	ly := float64(h - 10)
	for l := range 3 {
		x := float64(l * 120)
		s.raw(`<rect x="%s" y="%s" width="12" height="12" fill="%s"/>`, num(x), num(ly-10), levelColours[l])
		s.text(x+16, ly, 13, "start", "#1e1e1e", fmt.Sprintf("niveau %d", l+1))
	}
	return s.close()
}

// bar is a small horizontal bar for a table cell: value out of max.
func bar(v, maxv int, colour, label string) template.HTML {
	if maxv <= 0 {
		maxv = 1
	}
	var s svg
	s.open(100, 10, "barre", label)
	s.raw(`<rect x="0" y="0" width="%s" height="10" fill="%s"/>`, num(100*float64(v)/float64(maxv)), colour)
	return s.close()
}

// feedbackBar is a diverging bar: not useful to the left of the middle,
// useful to the right.
func feedbackBar(useful, notUseful, maxv int) template.HTML {
	if maxv <= 0 {
		maxv = 1
	}
	var s svg
	s.open(200, 12, "avis", fmt.Sprintf("%d utile%s, %d pas utile%s", useful, pl(useful), notUseful, pl(notUseful)))
	wn := 100 * float64(notUseful) / float64(maxv)
	wu := 100 * float64(useful) / float64(maxv)
	s.raw(`<rect class="pas-utile" x="%s" y="0" width="%s" height="12" fill="%s" data-valeur="%d"/>`, num(100-wn), num(wn), colNone, notUseful)
	s.raw(`<rect class="utile" x="100" y="0" width="%s" height="12" fill="%s" data-valeur="%d"/>`, num(wu), colSure, useful)
	s.raw(`<line x1="100" x2="100" y1="0" y2="12" stroke="%s"/>`, colAxis)
	return s.close()
}

// series is one line of a team chart.
type series struct {
	ID, Name string
	Colour   string
	Points   []point // by time
}

type point struct {
	At    time.Time
	Value int // 0-100
}

// teamChart draws a team's scores over time: one line per dimension and
// the overall score, bold.
func teamChart(team string, lines []series) template.HTML {
	const w, h, left, right, top, bottom = 720, 220, 34, 16, 10, 30
	var first, last time.Time
	for _, l := range lines {
		for _, p := range l.Points {
			if first.IsZero() || p.At.Before(first) {
				first = p.At
			}
			if p.At.After(last) {
				last = p.At
			}
		}
	}
	span := last.Sub(first)
	plotW, plotH := float64(w-left-right), float64(h-top-bottom)
	x := func(t time.Time) float64 {
		if span <= 0 {
			return left + plotW/2
		}
		return left + plotW*float64(t.Sub(first))/float64(span)
	}
	y := func(v int) float64 { return top + plotH - plotH*float64(v)/100 }
	var s svg
	s.open(w, h, "graphique equipe", "Maturité de l'équipe "+team+" dans le temps (scores sur 100)")
	for _, g := range []int{0, 50, 100} {
		s.raw(`<line x1="%d" x2="%d" y1="%s" y2="%s" stroke="%s"/>`, left, w-right, num(y(g)), num(y(g)), colGrid)
		s.text(left-4, y(g)+4, 13, "end", colAxis, strconv.Itoa(g))
	}
	s.text(left, float64(h-8), 11, "start", colAxis, frDate(first, true))
	if span > 0 {
		s.text(float64(w-right), float64(h-8), 11, "end", colAxis, frDate(last, true))
	}
	for _, l := range lines {
		width := "2"
		if l.ID == "" {
			width = "4"
		}
		s.raw(`<g class="serie" data-dimension="%s" data-derniere="%d">`, esc(l.ID), l.Points[len(l.Points)-1].Value)
		s.raw(`<title>%s</title>`, esc(l.Name+" : "+seriesText(l.Points)))
		if len(l.Points) > 1 {
			var pts []string
			for _, p := range l.Points {
				pts = append(pts, num(x(p.At))+","+num(y(p.Value)))
			}
			s.raw(`<polyline points="%s" fill="none" stroke="%s" stroke-width="%s"/>`, strings.Join(pts, " "), l.Colour, width)
		}
		for _, p := range l.Points {
			s.raw(`<circle cx="%s" cy="%s" r="4" fill="%s" data-valeur="%d"/>`, num(x(p.At)), num(y(p.Value)), l.Colour, p.Value)
		}
		s.raw(`</g>`)
	}
	return s.close()
}

func seriesText(ps []point) string {
	var parts []string
	for _, p := range ps {
		parts = append(parts, fmt.Sprintf("%d le %s", p.Value, frDate(p.At, true)))
	}
	return strings.Join(parts, ", ")
}

var frMonths = [...]string{"janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."}

// frDate is "3 déc." or, with the year, "3 déc. 2026".
func frDate(t time.Time, year bool) string {
	s := fmt.Sprintf("%d %s", t.Day(), frMonths[t.Month()-1])
	if year {
		s += fmt.Sprintf(" %d", t.Year())
	}
	return s
}

func plural(n int, word string) string {
	return fmt.Sprintf("%d %s%s", n, word, pl(n))
}

// pl is the plural mark of n in French: "s" from 2 on.
func pl(n int) string {
	if n > 1 {
		return "s"
	}
	return ""
}
