//go:build lexicon_nofreedict

package lexicon

// Built without the FreeDict table: English finds nothing.
var englishFST, englishTxt []byte
