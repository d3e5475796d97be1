#!/usr/bin/env python3
"""Summarises an accuracy study (study.sh): OUT_DIR/runs.txt lists "setting|seed|run dir" lines;
each run dir holds summary.json and test_domains.json. Writes OUT_DIR/results.json (every run's
figures) and OUT_DIR/results.md (per setting: mean over seeds and, with several seeds, the range).

Figures: CTR AUC, CVR AUC over clicked rows, CTCVR AUC over all rows, mean per-domain CVR AUC (domains with enough
positives and negatives among clicked test rows), the same on the held-out (zero-shot)
combinations, and the mean per-domain CVR AUC of the rarest decile of the scored test domains
(fewest clicked test rows; at least one domain)."""
import json
import math
import sys
from pathlib import Path

COLUMNS = [
    ("ctr_auc", "CTR AUC"),
    ("cvr_auc", "CVR AUC"),
    ("ctcvr_auc", "CTCVR AUC"),
    ("domain_cvr_auc_mean", "per-domain CVR AUC"),
    ("rarest_decile_cvr_auc", "rarest decile"),
    ("heldout_domain_cvr_auc_mean", "zero-shot per-domain"),
]


def figures(run_dir: Path) -> dict:
    summary = json.loads((run_dir / "summary.json").read_text())
    test = summary["test"]
    out = {k: test.get(k) for k in ("ctr_auc", "cvr_auc", "ctcvr_auc", "domain_cvr_auc_mean")}
    out["heldout_domain_cvr_auc_mean"] = summary.get("heldout", {}).get("domain_cvr_auc_mean")
    out["samples_per_second"] = summary.get("samples_per_second")
    domains = json.loads((run_dir / "test_domains.json").read_text())["domains"]
    scored = sorted((d for d in domains if d.get("cvr_auc") is not None), key=lambda d: d["rows_clicked"])
    decile = scored[: max(1, math.ceil(len(scored) / 10))]
    out["rarest_decile_cvr_auc"] = sum(d["cvr_auc"] for d in decile) / len(decile) if decile else None
    out["domains_scored"] = len(scored)
    oracle = dict(test.get("oracle", {}))
    oracle["heldout_domain_cvr_auc_mean"] = summary.get("heldout", {}).get("oracle", {}).get("domain_cvr_auc_mean")
    oracle["rarest_decile_cvr_auc"] = (
        sum(d["oracle_cvr_auc"] for d in decile) / len(decile) if decile else None)
    out["oracle"] = oracle
    return out


def cell(values):
    values = [v for v in values if v is not None]
    if not values:
        return "-"
    mean = sum(values) / len(values)
    if len(values) == 1:
        return f"{mean:.4f}"
    return f"{mean:.4f} ({min(values):.4f}-{max(values):.4f})"


def main() -> None:
    out = Path(sys.argv[1])
    runs = []
    for line in (out / "runs.txt").read_text().splitlines():
        name, seed, run_dir = line.split("|")
        runs.append({"setting": name, "seed": int(seed), "dir": run_dir, **figures(Path(run_dir))})
    (out / "results.json").write_text(json.dumps(runs, indent=2) + "\n")
    settings = []
    for r in runs:
        if r["setting"] not in settings:
            settings.append(r["setting"])
    lines = ["| setting | seeds | " + " | ".join(t for _, t in COLUMNS) + " |",
             "|---|---:|" + "---:|" * len(COLUMNS)]
    for s in settings:
        mine = [r for r in runs if r["setting"] == s]
        lines.append(f"| {s} | {len(mine)} | " + " | ".join(cell([r[k] for r in mine]) for k, _ in COLUMNS) + " |")
    oracle = runs[0]["oracle"] if runs else {}
    lines.append("| oracle (true probabilities) | | " + " | ".join(cell([oracle.get(k)]) for k, _ in COLUMNS) + " |")
    scored = sorted({r["domains_scored"] for r in runs})
    lines.append("")
    lines.append(f"Test domains scored per run: {', '.join(map(str, scored))}; the rarest decile is the scored "
                 "domains with the fewest clicked test rows (at least one). Cells: mean over seeds (range).")
    (out / "results.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
