package terminal

import "testing"

func TestMarkdownAsTerminalText(t *testing.T) {
	for md, want := range map[string]string{
		"Voici ce que dit la base :\n\n**[Secrets › Coffre](https://kb/secrets#coffre)**\n> Les **secrets** vont dans le \\_coffre\\_.": "Voici ce que dit la base :\n\nSecrets › Coffre (https://kb/secrets#coffre)\n   Les secrets vont dans le _coffre_.",
		"_Question 3/8_\n**Quelle fréquence ?**\n1. Jamais\n2. Souvent":                                                                 "Question 3/8\nQuelle fréquence ?\n1. Jamais\n2. Souvent",
		"#### Résultat\nParcours : `/parcours sre 2` &amp; [la page](https://x)":                                                        "Résultat\nParcours : /parcours sre 2 & la page (https://x)",
		"Vous pouvez essayer :\n- un\n- deux\n\nfin":                                                                                    "Vous pouvez essayer :\n- un\n- deux\n\nfin",
		"a_b_c et snake_case_name": "a_b_c et snake_case_name",
	} {
		if got := Text(md, Plain); got != want {
			t.Errorf("Text(%q) =\n%q\nwant\n%q", md, got, want)
		}
	}
	if got := Text("un **mot** gras", ANSI); got != "un \x1b[1mmot\x1b[0m gras" {
		t.Errorf("ANSI bold: %q", got)
	}
}
