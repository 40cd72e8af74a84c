#!/usr/bin/env bash
# Prints the figures of the embedded lexical tables (internal/lexicon): their
# sizes and entries (from the generator's SOURCES.md), lookup cost, first load
# and the heap it leaves. Usage: scripts/bench-lexicon.sh
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== tables (objectif : quelques Mo, < 15 Mo de plus dans le binaire)"
grep -E '^- (fr.dic|noun|thesaurus|English|tables|frequency)' internal/lexicon/data/SOURCES.md
total=0
for f in internal/lexicon/data/*.fst internal/lexicon/data/*.bin internal/lexicon/data/*.txt; do
	n=$(wc -c <"$f")
	total=$((total + n))
	printf '%-20s %9d octets\n' "$(basename "$f")" "$n"
done
printf 'total embarqué       %9d octets (%.1f Mo)\n' "$total" "$(echo "$total / 1048576" | bc -l)"

echo
echo "== recherche et premier chargement"
go test -run '^$' -bench . -benchmem ./internal/lexicon | grep -E '^Benchmark' |
	awk '{ printf "%-24s %10s ns/op", $1, $3; for (i=4;i<=NF;i++) if ($i=="heap-bytes") printf "   tas après chargement %s octets", $(i-1); printf "\n" }'
