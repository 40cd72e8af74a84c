// Package quote puts text from outside (what a user wrote, a display name, a
// word of a question) into the bot's Markdown replies without letting it act:
// no mention in it notifies anyone, no Markdown in it changes the reply, it
// stays on one line and its length is bounded. Every place that echoes user
// text goes through Text; Mentions defuses the mentions of text the bot
// formats itself (excerpts of knowledge pages).
package quote

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Excerpt is the usual length, in characters, of a question quoted in a
// reply: enough to recognise it, never enough to flood the reply.
const Excerpt = 200

// defuse follows an "@" that could start a mention: Mattermost splits words
// on it, so "@channel" becomes "@" and "channel", which notify no one. It is
// invisible.
const defuse = '\u200b'

// markdown holds the characters escaped with a backslash: emphasis, code,
// links and images, HTML and autolinks, tables, headings, strike-through,
// LaTeX and entities ("&#64;" is an "@").
const markdown = "\\`*_~[]()<>|#!$&"

// Text returns s as it may be quoted in a reply: on one line, without
// control or bidirectional characters, cut to max characters (0: no cut)
// with "…", Markdown characters (and a leading list marker) escaped and
// mentions defused.
func Text(s string, max int) string {
	s = strings.Join(strings.FieldsFunc(s, isSpace), " ")
	if max > 0 && utf8.RuneCountInString(s) > max {
		r := []rune(s)
		s = strings.TrimSpace(string(r[:max])) + "…"
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	prev := ' '
	for _, r := range s {
		switch {
		case r == utf8.RuneError || unicode.IsControl(r) || isBidi(r):
			continue
		case strings.ContainsRune(markdown, r), b.Len() == 0 && (r == '-' || r == '+'):
			// A leading "-" or "+" would start a list at the beginning of
			// a line.
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '@':
			b.WriteRune(r)
			if !wordRune(prev) {
				b.WriteRune(defuse)
			}
		default:
			b.WriteRune(r)
		}
		prev = r
	}
	return b.String()
}

// Mentions returns s with every "@" that could start a mention defused,
// the rest untouched: for text the bot formats itself from outside content.
// An e-mail address ("nom@exemple.fr") is left as is: Mattermost does not
// read it as a mention.
func Mentions(s string) string {
	if !strings.Contains(s, "@") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	prev := ' '
	for _, r := range s {
		b.WriteRune(r)
		if r == '@' && !wordRune(prev) {
			b.WriteRune(defuse)
		}
		prev = r
	}
	return b.String()
}

// wordRune is a letter or digit: an "@" after one is inside a word
// ("nom@exemple.fr"), which Mattermost does not read as a mention.
func wordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

func isSpace(r rune) bool { return unicode.IsSpace(r) }

// isBidi reports the invisible characters that reorder text: quoted, they
// could make the reply read differently from what it says.
func isBidi(r rune) bool {
	return r >= '\u202a' && r <= '\u202e' || r >= '\u2066' && r <= '\u2069' || r == '\u200e' || r == '\u200f' || r == '\u061c'
}

// LiveMentions returns the mentions Mattermost would notify in a message,
// read as its server does (words split on what cannot be part of a
// mention, leading punctuation trimmed, then split again on ".-:"), code
// aside. Tests of every package that echoes user text use it.
func LiveMentions(msg string) []string {
	var out []string
	for _, word := range strings.FieldsFunc(msg, func(c rune) bool {
		return !(c == ':' || c == '.' || c == '-' || c == '_' || c == '@' || unicode.IsLetter(c) || unicode.IsNumber(c))
	}) {
		word = strings.TrimLeft(word, ":.-_")
		for _, w := range append([]string{word}, strings.FieldsFunc(word, func(c rune) bool { return c == '.' || c == '-' || c == ':' })...) {
			w = strings.TrimRight(w, ".-:_")
			if len(w) > 1 && w[0] == '@' {
				out = append(out, w)
			}
		}
	}
	return out
}
