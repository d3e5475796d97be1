#!/bin/sh
# Writes an N-row Criteo-style TSV: label, 13 integer columns (I1..I13), 26 categorical
# columns of 8 hexadecimal digits (C1..C26), many fields empty. Deterministic: its own
# 32-bit LCG, so every awk gives the same bytes for the same N and seed.
#   make_criteo_tsv.sh ROWS OUT.tsv [SEED]
set -eu
if [ $# -lt 2 ]; then
  echo "usage: $0 ROWS OUT.tsv [SEED]" >&2
  exit 2
fi
rows=$1
out=$2
seed=${3:-1}
awk -v rows="$rows" -v seed="$seed" 'BEGIN {
  M = 4294967296
  s = (seed * 2654435761 + 12345) % M
  for (j = 1; j <= 13; j++) { iempty[j] = (j * 7 % 10) * 0.05; iscale[j] = 2 + (j * 5 % 9) }
  for (j = 1; j <= 26; j++) { cempty[j] = (j * 3 % 8) * 0.06; card[j] = int(10 * 2 ^ (j % 17)) }
  for (r = 0; r < rows; r++) {
    s = (s * 1664525 + 1013904223) % M
    line = (s / M < 0.26) ? "1" : "0"
    for (j = 1; j <= 13; j++) {
      s = (s * 1664525 + 1013904223) % M
      u = s / M
      if (u < iempty[j]) { line = line "\t"; continue }
      v = int(exp((u - iempty[j]) / (1 - iempty[j]) * iscale[j])) - 1
      if (j == 2 && (s % 16) == 0) v = -1 - (s % 3)
      line = line "\t" v
    }
    for (j = 1; j <= 26; j++) {
      s = (s * 1664525 + 1013904223) % M
      u = s / M
      if (u < cempty[j]) { line = line "\t"; continue }
      u = (u - cempty[j]) / (1 - cempty[j])
      k = int(card[j] * u * u * u)
      h = (k * 2654435761 + j * 40503 + 977) % M
      h = (h * 69069 + 1) % M
      line = line "\t" sprintf("%04x%04x", int(h / 65536), h % 65536)
    }
    print line
  }
}' > "$out"
