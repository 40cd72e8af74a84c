package quote

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestTextDefusesMentionsAndMarkdown(t *testing.T) {
	in := "x\n    @channel @here, @all et @bob.martin ; _@here .@all -@channel écrivez à nom@exemple.fr " +
		"**gras** [lien](http://x) ![img](http://t/p.png) `code` &#64;channel <http://y> ~~barré~~ | # $x$"
	got := Text(in, 0)
	if m := LiveMentions(got); len(m) != 0 {
		t.Errorf("live mentions %v in %q", m, got)
	}
	for _, bad := range []string{"*", "[", "]", "(", "!", "`", "&", "<", "~", "|", "#", "$"} {
		if unescaped(got, bad) {
			t.Errorf("%q left as is in %q", bad, got)
		}
	}
	if strings.Contains(got, "\n") {
		t.Errorf("not on one line: %q", got)
	}
	if !strings.Contains(got, "nom@exemple.fr") {
		t.Errorf("e-mail address changed: %q", got)
	}
	if m := LiveMentions(in); len(m) < 6 {
		t.Errorf("LiveMentions misses mentions Mattermost notifies: %v", m)
	}
}

func TestTextBoundsAndCleans(t *testing.T) {
	got := Text(strings.Repeat("é", 500), 200)
	if n := utf8.RuneCountInString(got); n != 201 || !strings.HasSuffix(got, "…") {
		t.Errorf("cut to %d characters: %q", n, got)
	}
	if got := Text("a\u202eb\x00c\td", 0); got != "abc d" {
		t.Errorf("controls and bidi: %q", got)
	}
}

func TestMentionsOnlyDefusesMentions(t *testing.T) {
	in := "**Contact** : @channel ou support@exemple.fr"
	got := Mentions(in)
	if len(LiveMentions(got)) != 0 || !strings.HasPrefix(got, "**Contact**") || !strings.Contains(got, "support@exemple.fr") {
		t.Errorf("Mentions(%q) = %q", in, got)
	}
}

// FuzzText: whatever a user sends, its quote notifies no one, stays on one
// valid line and within its bound.
func FuzzText(f *testing.F) {
	for _, s := range []string{"@channel", "x\n    @here", "**a** [b](c)", "é@all", "\u202e@all", "_@here", ".@all", "&#64;all"} {
		f.Add(s, 40)
	}
	f.Fuzz(func(t *testing.T, s string, max int) {
		max = max%300 + 1
		if max < 1 {
			max = -max + 1
		}
		got := Text(s, max)
		if m := LiveMentions(got); len(m) != 0 {
			t.Fatalf("Text(%q) = %q: live mentions %v", s, got, m)
		}
		if !utf8.ValidString(got) || strings.ContainsAny(got, "\n\r") {
			t.Fatalf("Text(%q) = %q: not one valid line", s, got)
		}
		// Each character may gain a backslash or a defuse mark, plus the "…".
		if n := utf8.RuneCountInString(got); n > 2*max+1 {
			t.Fatalf("Text(%q, %d) has %d characters", s, max, n)
		}
	})
}

// unescaped reports an occurrence of c in s not preceded by a backslash.
func unescaped(s, c string) bool {
	for i := strings.Index(s, c); i >= 0; {
		if i == 0 || s[i-1] != '\\' {
			return true
		}
		j := strings.Index(s[i+1:], c)
		if j < 0 {
			return false
		}
		i += 1 + j
	}
	return false
}
