package main

import (
	"strings"

	"github.com/cloud-pi-native/parcours/internal/lexicon"
)

// Noun–verb families from French derivational suffixes: a verb's ending is
// replaced by a noun suffix, and the pair is kept only when the dictionary
// holds the result as a noun. Comparisons are made on folded spellings, so
// that accent changes in derivation (recevoir → réception, retenir →
// rétention) are found.

// derivation turns the end of a verb into the end of a noun.
type derivation struct {
	verbEnd, nounEnd string
	// after, when set, is the list of endings the stem (the verb without
	// verbEnd) must have: "ion" only after -ct, -ss... ("exécuter" →
	// "exécution", not "porter" → "portion").
	after []string
}

var derivations = []derivation{
	// -er verbs: action nouns.
	{"er", "ement", nil},   // déplacer → déplacement, changer → changement
	{"yer", "iement", nil}, // déployer → déploiement, payer → paiement
	{"er", "ation", nil},   // conserver → conservation, utiliser → utilisation
	{"ier", "ication", nil},
	{"quer", "cation", nil}, // communiquer → communication
	{"er", "age", nil},      // stocker → stockage, nettoyer → nettoyage
	{"er", "ion", []string{"ct", "ss", "ut", "it", "us"}}, // exécuter → exécution
	{"uer", "ution", nil},           // distribuer → distribution
	{"er", "ition", []string{"os"}}, // composer → composition
	{"er", "ance", nil},             // surveiller → surveillance
	{"er", "ence", nil},             // exiger → exigence (folded)
	{"er", "aison", nil},            // livrer → livraison
	{"er", "ure", nil},              // couper → coupure
	{"er", "ature", nil},            // signer → signature
	{"er", "e", nil},                // contrôler → contrôle, sauvegarder → sauvegarde
	{"er", "", nil},                 // tester → test, accorder → accord
	// -er verbs: agent nouns.
	{"er", "eur", nil},   // développer → développeur
	{"er", "ateur", nil}, // utiliser → utilisateur, administrer → administrateur
	// -ir verbs.
	{"ir", "issement", nil}, // établir → établissement
	{"ir", "ition", nil},    // définir → définition
	{"ir", "isseur", nil},   // fournir → fournisseur
	{"enir", "ention", nil}, // intervenir → intervention, retenir → rétention
	{"ir", "ie", nil},       // sortir → sortie
	{"illir", "il", nil},    // accueillir → accueil
	// Irregular stems.
	{"imer", "ession", nil},  // supprimer → suppression, imprimer → impression
	{"éder", "ession", nil},  // posséder → possession, succéder → succession
	{"dire", "diction", nil}, // interdire → interdiction
	{"voir", "vision", nil},  // prévoir → prévision, revoir → révision
	{"ondre", "onse", nil},   // répondre → réponse
	{"rdre", "rte", nil},     // perdre → perte
	{"ire", "iture", nil},    // écrire → écriture
	// -re and -oir verbs.
	{"uire", "uction", nil},      // produire → production
	{"uire", "ucteur", nil},      // produire → producteur
	{"scrire", "scription", nil}, // inscrire → inscription
	{"mettre", "mission", nil},   // transmettre → transmission
	{"cevoir", "ception", nil},   // recevoir → réception
	{"endre", "ente", nil},       // attendre → attente
	{"ndre", "nte", nil},         // craindre → crainte
	{"oudre", "olution", nil},    // résoudre → résolution
	{"aître", "aissance", nil},   // connaître → connaissance
	{"clure", "clusion", nil},    // inclure → inclusion
}

// addFamilies links each verb of b to the nouns derived from it. It
// returns the number of links.
func addFamilies(b *lexicon.Builder) int {
	nouns := map[string][]string{} // folded spelling → noun lemmas
	var verbs []string
	for _, l := range b.Lemmas() {
		p, _ := b.HasLemma(l)
		if p&lexicon.Noun != 0 && p&lexicon.ProperNoun == 0 {
			k := lexicon.Fold(l)
			nouns[k] = append(nouns[k], l)
		}
		if p&lexicon.Verb != 0 && p&lexicon.Auxiliary == 0 && !strings.ContainsAny(l, " -'") {
			verbs = append(verbs, l)
		}
	}
	n := 0
	for _, v := range verbs {
		fv := lexicon.Fold(v)
		for _, d := range derivations {
			if !strings.HasSuffix(fv, lexicon.Fold(d.verbEnd)) {
				continue
			}
			stem := fv[:len(fv)-len(lexicon.Fold(d.verbEnd))]
			if len(stem) < 2 || d.after != nil && !hasAnySuffix(stem, d.after) {
				continue
			}
			for _, noun := range nouns[stem+lexicon.Fold(d.nounEnd)] {
				// The suffix must be spelled exactly ("trépassé" is not
				// trépasser + e); so must the stem of a noun made without
				// suffix ("degré" is not dégréer - er).
				if noun == v || !strings.HasSuffix(noun, d.nounEnd) {
					continue
				}
				if len(d.nounEnd) <= 1 && !zeroDerivation(b, v, noun, d.nounEnd) {
					continue
				}
				b.AddFamily(v, noun)
				n++
			}
		}
	}
	return n
}

func hasAnySuffix(s string, ends []string) bool {
	for _, e := range ends {
		if strings.HasSuffix(s, e) {
			return true
		}
	}
	return false
}

// zeroDerivation checks a noun made of a verb's bare stem ("test",
// "contrôle"): the stem must be spelled exactly as the verb's, be at least
// 4 letters long, and the noun must not be a grammatical word ("vers" is
// not verser's noun).
func zeroDerivation(b *lexicon.Builder, verb, noun, end string) bool {
	stem := strings.TrimSuffix(noun, end)
	if len([]rune(stem)) < 4 || !strings.HasPrefix(verb, stem) {
		return false
	}
	p, _ := b.HasLemma(noun)
	return p&(lexicon.Grammatical|lexicon.Preposition|lexicon.Determiner|lexicon.Pronoun|lexicon.Conjunction) == 0
}
