package terminal

import (
	"strings"
	"testing"

	"github.com/cloud-pi-native/parcours/internal/answer"
)

// A tentative answer says it is unsure and still shows the closest pages;
// a weak passage far behind the first is left out of a person's reply.
func TestRenderTentativeAnswer(t *testing.T) {
	a := &answer.Answer{Tier: answer.TierTentative, Answered: true, Lang: "fr", Passages: []answer.Passage{
		{PageTitle: "Secrets", Title: "Secrets", URL: "https://docs/secrets", Score: 1},
		{PageTitle: "Vault", Title: "Vault", URL: "https://docs/vault", Score: 0.6},
		{PageTitle: "Cantine", Title: "Cantine", URL: "https://docs/cantine", Score: 0.1},
	}}
	var b strings.Builder
	RenderAnswer(&b, a, Plain)
	out := b.String()
	for _, want := range []string{"pas sûr", "Secrets", "Vault"} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in:\n%s", want, out)
		}
	}
	if strings.Contains(out, "Cantine") {
		t.Errorf("a passage at a tenth of the first is noise:\n%s", out)
	}
	a.Tier = answer.TierSure
	b.Reset()
	RenderAnswer(&b, a, Plain)
	if strings.Contains(b.String(), "pas sûr") {
		t.Errorf("a sure answer must not hedge:\n%s", b.String())
	}
}
