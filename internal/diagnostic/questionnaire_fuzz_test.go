package diagnostic

import (
	"io/fs"
	"strconv"
	"testing"

	"github.com/cloud-pi-native/parcours/knowledge"
)

// FuzzParseQuestionnaire reads any file as the questionnaire: never a
// panic, and a questionnaire accepted can be run to its result by always
// choosing the first option, without an error. Seeds: the shipped
// questionnaire, testdata/mini.yaml and testdata/fuzz/FuzzParseQuestionnaire.
func FuzzParseQuestionnaire(f *testing.F) {
	if data, err := fs.ReadFile(knowledge.FS, File); err == nil {
		f.Add(data)
	}
	f.Add([]byte(miniText(f)))
	f.Add([]byte("questions: &a [*a]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		q, err := Parse("d.yaml", data)
		if err != nil {
			return
		}
		e, _, _ := newEngine(t, q)
		s, err := e.Start(ctx, "u", StartOptions{})
		if err != nil {
			t.Fatalf("Start: %v", err)
		}
		for range 500 {
			if s.Kind != StepQuestion {
				return
			}
			if s.Question == nil || len(s.Question.Options) == 0 {
				t.Fatalf("question without options: %+v", s)
			}
			if s, err = e.Reply(ctx, "u", strconv.Itoa(s.Question.Options[0].Number)); err != nil {
				t.Fatalf("Reply: %v", err)
			}
		}
		t.Fatal("no result after 500 answers")
	})
}
