package search

import (
	"strings"
	"sync"

	"github.com/cloud-pi-native/parcours/internal/lexicon"
)

// everydayWords are words of daily life, frequent in any French or English
// text, that documentation may contain in passing ("la synchronisation prend
// du temps", "le match des étiquettes") but that never make a question
// about it: "quel temps fera-t-il demain", "qui a gagné le match hier".
// They weigh little, and a question made only of them and of filler is not
// answered. Domain words (projet, équipe, déploiement...) are not here.
var everydayWords = strings.Fields(`
	temps jour jours journée semaine semaines mois année années an ans heure heures minute minutes
	demain hier aujourd'hui maintenant soir soirée matin matinée midi nuit week-end weekend
	lundi mardi mercredi jeudi vendredi samedi dimanche
	janvier février mars avril mai juin juillet août septembre octobre novembre décembre
	prochain prochaine prochains dernier dernière derniers bientôt tard tôt toujours jamais souvent
	météo pluie soleil neige chaud froid vent
	vacances congé congés salaire salaires paie prime primes cantine repas menu restaurant café
	déjeuner dîner manger boire train trains gare voiture parking vélo bus métro avion
	match foot football rugby sport sports gagner gagné gagne perdu perdre jouer joue jeu jeux
	film films musique chanson livre livres famille enfant enfants maison ville pays monde
	blague blagues histoire anniversaire cadeau fête pot apéro recette recettes cuisine
	réunion réunions salle salles aprem après-midi étage machine
	paris lyon marseille toulouse nice nantes strasbourg montpellier bordeaux lille rennes france
	bon bonne bons bonnes mauvais mauvaise grand grande petit petite vieux beau belle joli
	long longue court courte facile difficile simple possible vrai faux pire premier première
	seul seule même autre autres tout tous toute toutes chaque plusieurs certain certaine
	normal normale important importante général générale principal principale
	aller allez vais venir viens vient voir vois savoir pouvoir vouloir devoir prendre prends
	donner donne mettre dire parler penser croire trouver passer rester arriver partir sortir
	entrer rentrer tomber tombe ouvrir fermer finir attendre demander répondre aimer dormir
	acheter payer vendre lire devenir revenir tenir porter laisser vivre sembler
	weather time day days week month year hour tomorrow today yesterday tonight morning evening night
	holiday holidays vacation salary pay lunch dinner food restaurant train car game win won
	football movie music birthday gift joke good bad big small easy hard simple
`)

// listLemmas are the words of a list and their lemmas, in lower case: the
// light stemmer conflates words a list does not hold with words it does
// ("paiement" and "paie", "marché" and "marche", "conseiller" and
// "conseils" are one term each), the dictionary does not.
func listLemmas(words []string) map[string]bool {
	m := map[string]bool{}
	for _, w := range words {
		m[strings.ToLower(w)] = true
		for _, l := range lexicon.Lemmas(w) {
			m[strings.ToLower(l)] = true
		}
	}
	return m
}

var (
	everydayLemmas = sync.OnceValue(func() map[string]bool { return listLemmas(everydayWords) })
	genericLemmas  = sync.OnceValue(func() map[string]bool { return listLemmas(genericWords) })
)

// isEverydayWord reports whether a word of a question, analyzed as term, is
// a word of daily life: by its lemmas when the dictionary knows it, by its
// analyzed term otherwise.
func isEverydayWord(word, term string) bool {
	return IsEveryday(term) && lemmaListed(word, everydayLemmas())
}

// isGenericWord reports whether a word of a question, analyzed as term, is
// a word of intent, in the same way.
func isGenericWord(word, term string) bool {
	return IsGeneric(term) && lemmaListed(word, genericLemmas())
}

func lemmaListed(word string, lemmas map[string]bool) bool {
	ls := lexicon.Lemmas(word)
	if len(ls) == 0 {
		return true
	}
	for _, l := range ls {
		if lemmas[strings.ToLower(l)] {
			return true
		}
	}
	return false
}
