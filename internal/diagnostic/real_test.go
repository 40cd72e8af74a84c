package diagnostic_test

import (
	"testing"

	"github.com/cloud-pi-native/parcours/internal/diagnostic"
	"github.com/cloud-pi-native/parcours/knowledge"
)

// The shipped questionnaire loads, every perimeter has 6 to 10 practice
// questions, and its links lead to pages of the shipped knowledge base.
func TestShippedQuestionnaire(t *testing.T) {
	q, err := diagnostic.Load(knowledge.FS, diagnostic.File)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range q.Perimeter.Options {
		n := len(q.QuestionsFor(p.ID))
		if n < 6 || n > 10 {
			t.Errorf("périmètre %s: %d questions, 6 à 10 attendues", p.ID, n)
		}
	}
	if err := q.CheckPages(knowledge.FS); err != nil {
		t.Error(err)
	}
}
