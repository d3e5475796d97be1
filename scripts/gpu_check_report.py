#!/usr/bin/env python3
"""Writes the GPU check's report.md (scripts/gpu-check.sh) from what its steps left behind:
the steps' outcomes, the machine, the training runs (CPU and GPU side by side) and the GPU
benchmarks' JSON (each kernel's fraction of the roofline measured in the same run)."""
import argparse
import json
import math
import re
from pathlib import Path

AUC_KEYS = [
    ("CTR AUC", "ctr_auc"),
    ("CVR AUC (clicked)", "cvr_auc"),
    ("CTCVR AUC", "ctcvr_auc"),
    ("mean per-domain CVR AUC", "domain_cvr_auc_mean"),
    ("CTR logloss", "ctr_logloss"),
    ("CVR logloss", "cvr_logloss"),
]
DATA_SETS = ["tiny", "criteo-like"]
BF16_DATA_SETS = ["tiny"]  # also trained on the GPU with train.precision=bf16
BENCHMARKS = ["gpu_kernel_bench", "grouped_gemm_bench", "train_step_gpu_bench"]


def read_steps(path):
    steps = []
    for line in Path(path).read_text().splitlines():
        name, status, seconds, message = (line.split("\t") + ["", "", ""])[:4]
        steps.append({"name": name, "status": status, "seconds": seconds, "message": message})
    return steps


def read_context(path):
    context = {}
    for line in Path(path).read_text().splitlines():
        key, _, value = line.partition("=")
        context[key] = value
    return context


def cell(text):
    return str(text).replace("|", "\\|").replace("\n", " ")


def number(value, digits=4):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value:.{digits}f}"


def steps_section(steps):
    counts = {s: sum(1 for x in steps if x["status"] == s) for s in ("passed", "failed", "skipped")}
    lines = [f"## Steps: {counts['passed']} passed, {counts['failed']} failed, {counts['skipped']} skipped", "",
             "| step | result | seconds | message |", "|---|---|---:|---|"]
    for s in steps:
        lines.append(f"| {cell(s['name'])} | {s['status']} | {s['seconds']} | {cell(s['message'])} |")
    return lines


def load_run(runs, name):
    run = Path(runs) / name
    summary, losses = None, {}
    try:
        summary = json.loads((run / "summary.json").read_text())
    except (OSError, ValueError):
        pass
    try:
        for line in (run / "metrics.jsonl").read_text().splitlines():
            record = json.loads(line)
            if record.get("kind") == "train":
                losses[record["step"]] = record.get("loss")
    except (OSError, ValueError, KeyError):
        pass
    return summary, losses


def training_columns(runs, data):
    """(label, summary, losses) of each run on `data`: cpu, cuda and, where it ran, cuda with bf16 towers."""
    columns = [("cpu",) + load_run(runs, f"{data}-cpu"), ("cuda",) + load_run(runs, f"{data}-cuda")]
    if data in BF16_DATA_SETS:
        columns.append(("cuda bf16",) + load_run(runs, f"{data}-cuda-bf16"))
    return columns


def training_table(columns):
    labels = [c[0] for c in columns]
    differences = ["cuda - cpu", "cuda bf16 - cuda"][:len(columns) - 1]
    lines = ["| test split | " + " | ".join(labels + differences) + " |", "|---|" + "---:|" * (2 * len(columns) - 1)]
    summaries = [c[1] or {} for c in columns]

    def row(label, cells):
        return f"| {label} | " + " | ".join(cells) + " |"

    for label, key in AUC_KEYS:
        values = [s.get("test", {}).get(key) for s in summaries]
        diffs = [b - a if a is not None and b is not None else None for a, b in zip(values[:-1], values[1:])]
        lines.append(row(label, [number(v) for v in values] + [number(d, 5) for d in diffs]))
    blank = [""] * (len(columns) - 1)
    lines.append(row("samples/s (training)", [number(s.get("samples_per_second"), 0) for s in summaries] + blank))
    lines.append(row("backend", [cell(s.get("backend", "–")) for s in summaries] + blank))
    blas = (summaries[0].get("machine", {}).get("blas", {}) or {}).get("library", "–")
    lines.append(row("BLAS (CPU backend)", [cell(blas)] + [""] * (len(columns) - 1) + blank))
    return lines


def training_section(runs):
    lines = ["## Training: CPU backend against the GPU", ""]
    for data in DATA_SETS:
        columns = training_columns(runs, data)
        lines.append(f"### {data}")
        lines.append("")
        if all(c[1] is None for c in columns):
            lines += ["no run finished (see Steps)", ""]
            continue
        lines += training_table(columns)
        lines += ["", "| step | " + " | ".join(f"loss {c[0]}" for c in columns) + " |",
                  "|---:|" + "---:|" * len(columns)]
        losses = [c[2] for c in columns]
        for step in sorted(set().union(*losses)):
            lines.append(f"| {step} | " + " | ".join(number(l.get(step), 5) for l in losses) + " |")
        lines.append("")
    return lines


def short_name(name):
    return re.sub(r"/(min_time:[0-9.]+|manual_time)", "", name)


def bench_rows(path):
    try:
        data = json.loads(Path(path).read_text())
    except (OSError, ValueError):
        return None, None
    return data.get("context", {}), data.get("benchmarks", [])


def bench_section(bench_dir):
    lines = ["## GPU benchmarks (fraction of the roofline measured in the same run)", ""]
    for name in BENCHMARKS:
        context, rows = bench_rows(Path(bench_dir) / f"{name}.json")
        lines.append(f"### {name}")
        lines.append("")
        if rows is None:
            lines += ["no JSON (see Steps)", ""]
            continue
        lines += ["| benchmark | time | fraction of roofline | of FLOP roofline | of bandwidth roofline | GFLOP/s | GB/s | other |",
                  "|---|---:|---:|---:|---:|---:|---:|---|"]
        for row in rows:
            if row.get("run_type") == "aggregate":
                continue
            if row.get("error_occurred"):
                lines.append(f"| {cell(short_name(row['name']))} | error | | | | | | {cell(row.get('error_message', ''))} |")
                continue
            other = ", ".join(f"{k} {row[k]:.4g}" for k in ("samples/s", "active_domains") if k in row)
            time = f"{row.get('real_time', 0):.4g} {row.get('time_unit', '')}"
            lines.append(
                f"| {cell(short_name(row['name']))} | {time} | {number(row.get('fraction_of_roofline'), 3)} "
                f"| {number(row.get('fraction_of_flop_roofline'), 3)} | {number(row.get('fraction_of_bandwidth_roofline'), 3)} "
                f"| {number(row.get('GFLOP/s'), 1)} | {number(row.get('GB/s'), 1)} | {cell(other)} |")
        lines += ["", roofline_line(rows)]
        lines.append("")
    return lines


def precision_of(name):
    """fp32, or the tf32 / bf16 that a tensor-core variant's name carries as a segment."""
    match = re.search(r"/(tf32|bf16)(/|$)", name)
    return match.group(1) if match else "fp32"


def roofline_line(rows):
    def span(key, unit, precision=None):
        values = [r[key] for r in rows if key in r and (precision is None or precision_of(r["name"]) == precision)]
        return f"{min(values):.0f} to {max(values):.0f} {unit}" if values else "–"
    parts = ["fp32 sgemm " + span("roofline_GFLOP/s", "GFLOP/s", "fp32")]
    for precision in ("tf32", "bf16"):
        if any(precision_of(r["name"]) == precision for r in rows):
            parts.append(f"{precision} cuBLAS GEMM (for the {precision} variants) "
                         + span("roofline_GFLOP/s", "GFLOP/s", precision))
    parts.append("device copy " + span("roofline_GB/s", "GB/s"))
    return "Rooflines measured after each benchmark: " + ", ".join(parts) + "."


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    for flag in ("--steps", "--context", "--runs", "--bench", "--out"):
        parser.add_argument(flag, required=True)
    args = parser.parse_args()
    steps = read_steps(args.steps)
    context = read_context(args.context)
    gpu = context.get("gpu", "none")
    lines = [f"# GPU check: {gpu.split(',')[0]}, {context.get('date', '')}", ""]
    for key in ("gpu", "commit", "host", "cpu", "nvcc", "cxx", "cmake", "glibc", "deps", "pkg_config", "sanitizer",
                "arch", "targets", "warnings", "budget", "wall_seconds"):
        if key in context:
            lines.append(f"- {key}: {context[key]}")
    lines.append("")
    lines += steps_section(steps)
    lines.append("")
    lines += training_section(args.runs)
    lines += bench_section(args.bench)
    files = sorted(p.name for p in Path(args.out).parent.iterdir() if p.is_file() and p.name != "report.md")
    lines += ["Files beside this report: " + (", ".join(files) or "none"), ""]
    Path(args.out).write_text("\n".join(lines))


if __name__ == "__main__":
    main()
