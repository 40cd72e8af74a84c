// Package diagnostic runs the maturity diagnostic: a questionnaire read from
// the knowledge base (_data/diagnostic.yaml), a scoring that people can check
// by hand (see Questionnaire.Score and docs/diagnostic.md), and a
// conversation engine that any channel drives (buttons through Choose, typed
// text through Reply) and that keeps its state in a Store, so that a restart
// loses nothing. It knows nothing of Mattermost or terminals: adapters render
// the Steps it returns.
package diagnostic
