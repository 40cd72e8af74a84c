#!/usr/bin/env bash
# Prints the performance figures of the knowledge core against their targets:
# indexing 1,000 and 10,000 generated pages, query latency on the shipped
# base, the dashboard over 100,000 recorded questions, and "parcours ask" as a
# whole process (wall time and peak memory).
# Usage: scripts/bench.sh [--quick]
set -euo pipefail
cd "$(dirname "$0")/.."
benchtime=5x
[ "${1:-}" = --quick ] && benchtime=1x

echo "== indexation (objectif : 1 000 pages < 2 s, 10 000 pages < 20 s, coût linéaire)"
out=$(go test -run '^$' -bench 'BenchmarkIndex(1000|10000)$' -benchtime "$benchtime" ./internal/search)
echo "$out" | grep -E '^Benchmark'
echo "$out" | awk '/^BenchmarkIndex1000-/ {a=$3} /^BenchmarkIndex10000-/ {b=$3}
  END { if (a && b) printf "1 000 pages : %.2f s ; 10 000 pages : %.2f s ; rapport %.1f (10 = linéaire)\n", a/1e9, b/1e9, b/a }'

echo
echo "== mémoire d'une réindexation (objectif : < 300 Mo de RSS pour toute source de 50 Mo ou moins)"
echo "   l'ancien index sert pendant que le nouveau se construit ; formes hostiles, chacune dans un processus"
go test -run '^$' -bench 'BenchmarkIndexMemory' -benchtime 1x ./internal/search | grep -E '^BenchmarkIndexMemory/' |
  awk '{ name=$1; sub(/^BenchmarkIndexMemory\//, "", name); sub(/-[0-9]+$/, "", name)
    for (i=1;i<=NF;i++) { if ($i=="Mo-RSS") r=$(i-1); if ($i=="Mo-tas") h=$(i-1) }
    printf "%-11s RSS max %4.0f Mo, tas max %4.0f Mo, %5.1f s\n", name, r, h, $3/1e9 }'
echo "   titres : une page de 20 000 titres (1 Mo) ; petites : 10 000 pages ; paragraphe : une page de 4 Mo d'un seul"
echo "   paragraphe ; normales : 5 000 pages de 10 Ko (50 Mo) ; mega : 50 pages de 1 Mo ; 50mo : 12 pages de 4 Mo + titres"

echo
echo "== latence des questions sur la base embarquée (objectif : p50 < 1 ms, p99 < 5 ms)"
go test -run '^$' -bench 'BenchmarkQuery$' -benchtime 2000x ./internal/search | grep -E '^Benchmark' |
  awk '{ for (i=1;i<=NF;i++) { if ($i=="p50-µs") p50=$(i-1); if ($i=="p99-µs") p99=$(i-1) } ; printf "p50 %.2f ms ; p99 %.2f ms\n", p50/1000, p99/1000 }'

echo
echo "== tableau de bord avec 100 000 questions enregistrées (objectif : < 200 ms)"
echo "   la page entière par le serveur HTTP, lien vérifié ; cpu-ms : temps de processeur, que les voisins d'une machine partagée ne gonflent pas"
go test -run '^$' -bench 'BenchmarkDashboard100k' -benchtime 10x ./internal/dashboard | grep -E '^Benchmark' |
  awk '{ for (i=1;i<=NF;i++) { if ($i=="cpu-ms/op") c=$(i-1); if ($i=="page-KiB") p=$(i-1); if ($i=="gzip-KiB") z=$(i-1) }
    printf "%.0f ms par page (%.0f ms de processeur), page de %.0f Ko, %.0f Ko compressée\n", $3/1e6, c, p, z }'

echo
echo "== « parcours ask » en processus complet (objectif : < 0,5 s et < 80 Mo)"
bin=$(mktemp -d)/parcours
go build -o "$bin" ./cmd/parcours
if [ -x /usr/bin/time ]; then
  for i in 1 2 3 4 5; do
    /usr/bin/time -f '%e %M' -o "$bin.t" "$bin" ask "je suis chef de projet, par où commencer ?" >/dev/null
    cat "$bin.t"
  done | awk '{ s+=$1; if ($1>ms) ms=$1; if ($2>m) m=$2 } END { printf "moyenne %.3f s, pire %.3f s, mémoire max %.1f Mo\n", s/NR, ms, m/1024 }'
else
  echo "(installez le paquet « time » pour mesurer la mémoire)"
  start=$(date +%s.%N); "$bin" ask "je suis chef de projet, par où commencer ?" >/dev/null; end=$(date +%s.%N)
  echo "durée $(echo "$end - $start" | bc) s"
fi
rm -rf "$(dirname "$bin")"
