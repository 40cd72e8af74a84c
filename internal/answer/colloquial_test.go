package answer

import (
	"context"
	"testing"
)

func TestStandardSpelling(t *testing.T) {
	for in, want := range map[string]string{
		"kubernets c koi":                "kubernets c'est quoi",
		"C koi le mode produit ?":        "c'est quoi le mode produit ?",
		"pk ma CI plante":                "pourquoi ma CI plante",
		"chui DSI, jsp par où commencer": "je suis DSI, je ne sais pas par où commencer",
		"koi de neuf":                    "quoi de neuf",
		"le pkg c'est quoi":              "le pkg c'est quoi", // words merely starting like one stay
	} {
		if got := StandardSpelling(in); got != want {
			t.Errorf("StandardSpelling(%q) = %q, want %q", in, got, want)
		}
	}
	if len(colloquial) > 30 {
		t.Errorf("%d chat spellings: the list is a closed set of at most 30", len(colloquial))
	}
}

// A question typed in chat French is read as the same question in standard
// French: "kubernets c koi" asks for a definition of Kubernetes.
func TestChatFrenchQuestionIsADefinitionQuestion(t *testing.T) {
	e := shippedEngine(t)
	a, err := e.Ask(context.Background(), "kubernets c koi")
	if err != nil {
		t.Fatal(err)
	}
	if a.Tier != TierSure || len(a.Passages) == 0 || a.Passages[0].Path != "pratiques/conteneurs-kubernetes.md" {
		t.Fatalf("« kubernets c koi »: tier %s, passages %+v", a.Tier, a.Passages)
	}
	if a.Query != "kubernets c koi" {
		t.Errorf("the answer quotes %q, not what the user typed", a.Query)
	}
	if got := e.Role("chui DSI"); got != "strategie" {
		t.Errorf("Role(« chui DSI ») = %q, want strategie", got)
	}
}
