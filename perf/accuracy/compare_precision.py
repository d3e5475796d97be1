#!/usr/bin/env python3
"""Compares the runs of a precision study (study.sh with settings whose names end in the
precision, "fp32", "tf32" or "bf16") against the fp32 run of the same seed: the logged training
loss at every log point (each the mean over its interval of steps) and the test figures.

  perf/accuracy/compare_precision.py OUT_DIR [--loss-tolerance 0.01] [--auc-tolerance 0.002]

Writes OUT_DIR/precision.md: per precision and seed, the largest relative difference of the loss
curve from fp32's, the last logged loss's, and the differences of the test AUCs; then whether every
run is within the tolerances (loss curves relative, AUCs absolute). Exit status 0 either way."""
import argparse
import json
from pathlib import Path

AUCS = [("ctr_auc", "CTR AUC"), ("cvr_auc", "CVR AUC"), ("ctcvr_auc", "CTCVR AUC"),
        ("domain_cvr_auc_mean", "per-domain CVR AUC")]


def loss_curve(run_dir: Path) -> dict:
    curve = {}
    for line in (run_dir / "metrics.jsonl").read_text().splitlines():
        record = json.loads(line)
        if record.get("kind") == "train":
            curve[record["step"]] = record["loss"]
    return curve


def test_figures(run_dir: Path) -> dict:
    return json.loads((run_dir / "summary.json").read_text())["test"]


def compare(run: Path, base: Path) -> dict:
    a, b = loss_curve(run), loss_curve(base)
    if sorted(a) != sorted(b):
        raise SystemExit(f"{run} and {base} log the loss at different steps")
    relative = [abs(a[s] - b[s]) / abs(b[s]) for s in sorted(b)]
    last = max(b)
    ta, tb = test_figures(run), test_figures(base)
    out = {"points": len(relative), "max_loss_diff": max(relative), "last_loss_diff": relative[-1],
           "last_loss": a[last], "last_loss_fp32": b[last]}
    for key, _ in AUCS:
        out[key] = (ta[key] - tb[key]) if ta.get(key) is not None and tb.get(key) is not None else None
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("out_dir")
    parser.add_argument("--loss-tolerance", type=float, default=0.01)
    parser.add_argument("--auc-tolerance", type=float, default=0.002)
    args = parser.parse_args()
    out = Path(args.out_dir)
    runs = {}
    for line in (out / "runs.txt").read_text().splitlines():
        name, seed, run_dir = line.split("|")
        runs[(name.split()[-1], int(seed))] = Path(run_dir)
    lines = ["| precision | seed | loss points | largest loss difference | last loss difference | "
             + " | ".join(f"Δ {label}" for _, label in AUCS) + " |",
             "|---|---:|---:|---:|---:|" + "---:|" * len(AUCS)]
    within = True
    for (precision, seed), run_dir in sorted(runs.items()):
        if precision == "fp32" or ("fp32", seed) not in runs:
            continue
        c = compare(run_dir, runs[("fp32", seed)])
        deltas = [c[key] for key, _ in AUCS]
        within &= c["max_loss_diff"] <= args.loss_tolerance
        within &= all(d is None or abs(d) <= args.auc_tolerance for d in deltas)
        cells = " | ".join("-" if d is None else f"{d:+.4f}" for d in deltas)
        lines.append(f"| {precision} | {seed} | {c['points']} | {100 * c['max_loss_diff']:.3f} % | "
                     f"{100 * c['last_loss_diff']:.3f} % | {cells} |")
    lines.append("")
    lines.append(f"Every run within {100 * args.loss_tolerance:g} % of fp32's loss at every log point and within "
                 f"{args.auc_tolerance} of its test AUCs: {'yes' if within else 'no'}.")
    (out / "precision.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
