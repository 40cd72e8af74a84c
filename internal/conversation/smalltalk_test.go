package conversation

import "testing"

func TestSmallTalk(t *testing.T) {
	for text, want := range map[string]talkKind{
		"merci":                              thanks,
		"Merci beaucoup !":                   thanks,
		"ok merci :+1:":                      thanks,
		"d’accord, c'est clair":              thanks,
		"Parfait, merci pour l'aide":         thanks,
		"thanks!":                            thanks,
		"Bonjour":                            greeting,
		"salut, ça va ?":                     greeting,
		"Hello tout le monde":                greeting,
		"bonjour, merci":                     greeting,
		"bonjour, comment déployer ?":        notSmallTalk,
		"merci, et pour kubernetes ?":        notSmallTalk,
		"ok c'est quoi argocd":               notSmallTalk,
		"comment":                            notSmallTalk,
		"":                                   notSmallTalk,
		"super chef de projet":               notSmallTalk,
		"au revoir":                          goodbye,
		"Merci, bonne journée !":             goodbye,
		"qui es-tu ?":                        who,
		"t ki ?":                             who,
		"c ki":                               who,
		"bonjour, tu sers à quoi ?":          who,
		"aide":                               help,
		"?":                                  help,
		"comment ça marche ?":                help,
		"aide pour déployer":                 notSmallTalk,
		"comment ça marche le déploiement ?": notSmallTalk,
	} {
		if got := smallTalk(text); got != want {
			t.Errorf("smallTalk(%q) = %v, want %v", text, got, want)
		}
	}
}
