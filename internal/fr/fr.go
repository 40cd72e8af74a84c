// Package fr writes French correctly in the bot's messages: counts with
// their plural ("1 autre sujet", "2 questions passées") and numbers the
// French way ("94,6 %").
package fr

import (
	"strconv"
	"strings"
)

// Count writes n followed by the singular or the plural form: French uses
// the singular for 0 and 1 ("0 résultat gardé", "2 résultats gardés").
func Count(n int, one, many string) string {
	if n > 1 || n < -1 {
		return strconv.Itoa(n) + " " + many
	}
	return strconv.Itoa(n) + " " + one
}

// Percent writes a share (0.946) as a French percentage with at most one
// decimal and a non-breaking space before the sign: "94,6 %", "95 %".
func Percent(share float64) string {
	return Decimal(share*100, 1) + "\u00a0%"
}

// Decimal writes x with at most digits decimals, a decimal comma and no
// trailing zeros: Decimal(94.60, 1) = "94,6", Decimal(95.0, 1) = "95".
func Decimal(x float64, digits int) string {
	s := strconv.FormatFloat(x, 'f', digits, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	if s == "-0" {
		s = "0"
	}
	return strings.Replace(s, ".", ",", 1)
}
