#!/usr/bin/env python3
# scripts/plot_results.py — turns recorded results into pictures (PNG and SVG) under results/.
#
#   plot_results.py iobench FILE.json|FILE.csv [--out-dir DIR]
#       heat maps of an iobench sweep: transfer size x queue depth -> MB/s, annotated cells,
#       one panel per (rw, engine, stripes); writes DIR/<basename>.png and .svg (DIR defaults
#       to the repository's results/) and prints the two paths.
#
#   plot_results.py breakdown FILE.json... [--out-dir DIR] [--name NAME]
#       the phase breakdown of `riversort sort` results (JSON, docs/results.md): one stacked bar
#       per run and rank (overhead, read & distribute, sort, write, ...), seconds, and beside it a
#       hatched bar of each phase's disk floor (its node's bytes read and written over the result's
#       limits); the legend sits outside the axes. Writes DIR/breakdown-<name>.png and .svg (name:
#       the first file's basename) and prints the paths.
#
#   plot_results.py timeline FILE.json [--out-dir DIR] [--ranks N]
#       each rank's timeline from a `riversort sort --result` JSON: disk read and write and network
#       MB/s and CPU % over time, the phases marked; one panel per rank (the first N, default 8);
#       writes DIR/timeline-<basename>.png and .svg and prints the paths.
#
#   plot_results.py scale FILE.json [--out-dir DIR] [--riversort EXE]
#       bench/scale.sh's rows: memory per rank and bytes sent per rank against the number of ranks,
#       measured on the namespace cluster (points, up to 64) and planned by `riversort plan` for the
#       same job and for 1 TB with the same budget (lines, up to 10,000 ranks); writes
#       DIR/<basename>.png and .svg and prints the paths.
#
# Subcommands are the kinds of result.
import argparse
import csv
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
RESULTS = os.path.normpath(os.path.join(HERE, "..", "results"))
SYSTEM_PYTHON = "/usr/bin/python3"


def import_matplotlib():
    """matplotlib with the Agg backend; re-runs under Debian's python3 (python3-matplotlib) when
    the python3 on PATH (pyenv, venv) lacks it."""
    try:
        import matplotlib
    except ImportError:
        if os.path.realpath(sys.executable) != os.path.realpath(SYSTEM_PYTHON) and os.access(SYSTEM_PYTHON, os.X_OK) \
                and not os.environ.get("RS_PLOT_REEXEC"):
            os.environ["RS_PLOT_REEXEC"] = "1"
            os.execv(SYSTEM_PYTHON, [SYSTEM_PYTHON, os.path.abspath(__file__)] + sys.argv[1:])
        sys.exit("plot_results.py: matplotlib is missing (apt-get install python3-matplotlib)")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def size_label(n):
    for shift, suffix in ((30, "G"), (20, "M"), (10, "K")):
        if n and n % (1 << shift) == 0:
            return f"{n >> shift}{suffix}"
    return str(n)


def load_iobench(path):
    """Rows as dicts with rw, engine, stripes, stripe_unit, transfer_size, queue_depth, MBps, cpu_s_per_GB;
    and a title line."""
    if path.endswith(".json"):
        with open(path) as f:
            doc = json.load(f)
        if doc.get("kind") != "iobench":
            sys.exit(f"plot_results.py: {path}: not an iobench result (kind {doc.get('kind')!r})")
        rows = doc["rows"]
        cfg = doc.get("config", {})
        size = cfg.get("file_size")
        title = (f"iobench on {doc.get('host', '?')}, {doc.get('date', '?')}"
                 + (f", {size_label(size)} file" if size else "")
                 + (", O_DIRECT" if cfg.get("direct", True) else ", buffered")
                 + (f", median of {cfg['runs']} runs" if cfg.get("runs", 1) > 1 else ""))
        best = {rw: b.get("setting") for rw, b in doc.get("best", {}).items()}
    elif path.endswith(".csv"):
        with open(path, newline="") as f:
            rows = list(csv.DictReader(f))
        want = {"rw", "engine", "stripes", "stripe_unit", "transfer_size", "queue_depth", "MBps"}
        if not rows or not want <= set(rows[0]):
            sys.exit(f"plot_results.py: {path}: not an iobench CSV (needs columns {', '.join(sorted(want))})")
        title = f"iobench: {os.path.basename(path)}"
        best = {}
    else:
        sys.exit(f"plot_results.py: {path}: expected a .json or .csv file")
    for r in rows:
        for k in ("stripes", "stripe_unit", "transfer_size", "queue_depth"):
            r[k] = int(r[k])
        r["MBps"] = float(r["MBps"])
    return rows, title, best


def plot_iobench(args):
    rows, title, best = load_iobench(args.file)
    if not rows:
        sys.exit(f"plot_results.py: {args.file}: no rows")
    plt = import_matplotlib()
    import numpy as np

    # One row of panels per direction (each with its own colour scale: this disk writes faster
    # than it reads), one column per (engine, stripes).
    rws = sorted({r["rw"] for r in rows}, key=lambda rw: rw != "read")
    columns = sorted({(r["engine"], r["stripes"]) for r in rows}, key=lambda c: (c[0] != "uring", c[1]))
    sizes = sorted({r["transfer_size"] for r in rows})
    depths = sorted({r["queue_depth"] for r in rows})
    fig, axes = plt.subplots(len(rws), len(columns),
                             figsize=(max(6.5, 0.95 * len(depths) * len(columns) + 2.2), 0.62 * len(sizes) * len(rws) + 2.0),
                             squeeze=False, constrained_layout=True)
    for row_axes, rw in zip(axes, rws):
        vmax = max(r["MBps"] for r in rows if r["rw"] == rw)
        image = None
        for ax, (engine, k) in zip(row_axes, columns):
            cells = [r for r in rows if (r["rw"], r["engine"], r["stripes"]) == (rw, engine, k)]
            if not cells:
                ax.axis("off")
                continue
            grid = np.full((len(sizes), len(depths)), np.nan)
            for r in cells:
                grid[sizes.index(r["transfer_size"]), depths.index(r["queue_depth"])] = r["MBps"]
            top = np.nanmax(grid)
            image = ax.imshow(grid, cmap="viridis", vmin=0, vmax=vmax, origin="lower", aspect="auto")
            for i in range(len(sizes)):
                for j in range(len(depths)):
                    v = grid[i, j]
                    if not np.isnan(v):
                        ax.text(j, i, f"{v:.0f}", ha="center", va="center", fontsize=8,
                                color="black" if v > 0.6 * vmax else "white",
                                fontweight="bold" if v == top else "normal")
            ax.set_xticks(range(len(depths)), [str(d) for d in depths])
            ax.set_yticks(range(len(sizes)), [size_label(s) for s in sizes])
            ax.set_xlabel("queue depth")
            ax.set_ylabel("transfer size")
            stripes = f"{k} stripe" if k == 1 else f"{k} stripes, unit {size_label(cells[0]['stripe_unit'])}"
            ax.set_title(f"{rw}, {engine}, {stripes}", fontsize=10)
        if image is not None:
            fig.colorbar(image, ax=list(row_axes), label=f"{rw} MB/s", shrink=0.9)
    lines = [title] + [f"best {rw}: {s}" for rw, s in sorted(best.items()) if s]
    fig.suptitle("\n".join(lines), fontsize=10)

    os.makedirs(args.out_dir, exist_ok=True)
    stem = os.path.join(args.out_dir, os.path.splitext(os.path.basename(args.file))[0])
    for ext in ("png", "svg"):
        fig.savefig(f"{stem}.{ext}", dpi=110)
        print(f"{stem}.{ext}")


def load_result(path):
    """A `riversort sort --result` JSON, or exit with one line naming the file."""
    if not os.path.isfile(path):
        sys.exit(f"plot_results.py: {path}: no such file")
    with open(path) as f:
        try:
            d = json.load(f)
        except json.JSONDecodeError as e:
            sys.exit(f"plot_results.py: {path}: not JSON ({e})")
    if d.get("schema") != "riversort-result/1":
        sys.exit(f"plot_results.py: {path}: not a riversort sort result (schema riversort-result/1)")
    return d


def disk_floors(d):
    """Per rank, per phase: the seconds its node's disk needs for the bytes the node's ranks read
    and wrote in that phase, at the result's limits (ranks on one host share its disk)."""
    lim = d.get("limits")
    if not lim:
        return None
    ranks = d["per_rank"]
    floors = []
    for r in ranks:
        mine = {}
        for i, p in enumerate(r["phases"]):
            if "io" not in p or p["name"] == "overhead":
                continue
            read = written = 0
            for other in ranks:
                if other.get("host") == r.get("host") and i < len(other["phases"]):
                    io = other["phases"][i].get("io", {})
                    read += io.get("disk_read", 0)
                    written += io.get("disk_written", 0)
            mine[p["name"]] = read / 1e6 / lim["disk_read_MBps"] + written / 1e6 / lim["disk_write_MBps"]
        floors.append(mine)
    return floors


def plot_breakdown(args):
    plt = import_matplotlib()
    bars = []  # (label, [(phase, seconds)], {phase: disk floor seconds} or None)
    for path in args.files:
        d = load_result(path)
        run = os.path.splitext(os.path.basename(path))[0]
        cfg = d.get("config", {})
        floors = disk_floors(d)
        for rank, r in enumerate(d["per_rank"]):
            label = f"{run}\n{d['algo']} {cfg.get('transport', '')} r{rank}"
            bars.append((label, [(p["name"], p["wall_s"]) for p in r["phases"]], floors[rank] if floors else None))
    phases = []
    for _, ps, _ in bars:
        for name, _ in ps:
            if name not in phases:
                phases.append(name)
    fig, ax = plt.subplots(figsize=(max(7, 1.4 * len(bars) + 4), 4.8))
    width = 0.38
    x_time = [i - width / 2 for i in range(len(bars))]
    x_floor = [i + width / 2 for i in range(len(bars))]
    bottoms = [0.0] * len(bars)
    floor_bottoms = [0.0] * len(bars)
    colors = plt.get_cmap("tab10")
    any_floor = False
    for k, phase in enumerate(phases):
        heights = [dict(ps).get(phase, 0.0) for _, ps, _ in bars]
        ax.bar(x_time, heights, width, bottom=bottoms, label=phase, color=colors(k % 10))
        bottoms = [b + h for b, h in zip(bottoms, heights)]
        floor = [(f or {}).get(phase, 0.0) for _, _, f in bars]
        if any(floor):
            any_floor = True
            ax.bar(x_floor, floor, width, bottom=floor_bottoms, color=colors(k % 10), alpha=0.45, hatch="//",
                   edgecolor="black", linewidth=0.3)
            floor_bottoms = [b + h for b, h in zip(floor_bottoms, floor)]
    for i, total in enumerate(bottoms):
        ax.text(x_time[i], total, f"{total:.3f}", ha="center", va="bottom", fontsize=7)
        if floor_bottoms[i] > 0:
            ax.text(x_floor[i], floor_bottoms[i], f"{floor_bottoms[i]:.3f}", ha="center", va="bottom", fontsize=7)
    if any_floor:
        ax.bar([0], [0], 0, color="white", hatch="//", edgecolor="black", label="disk floor (hatched)")
    ax.set_xticks(range(len(bars)), [b[0] for b in bars], fontsize=7)
    ax.set_ylabel("seconds (wall, per rank)")
    ax.set_ylim(0, max(bottoms + floor_bottoms + [1e-9]) * 1.12)  # room for the numbers
    ax.set_title("riversort phase breakdown: wall time, and the disk's floor beside it")
    # Outside the axes: a legend inside would cover the bars' numbers.
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0)
    fig.tight_layout()
    os.makedirs(args.out_dir, exist_ok=True)
    name = args.name or os.path.splitext(os.path.basename(args.files[0]))[0]
    stem = os.path.join(args.out_dir, f"breakdown-{name}")
    for ext in ("png", "svg"):
        fig.savefig(f"{stem}.{ext}", dpi=110)
        print(f"{stem}.{ext}")


def rates(t, v):
    """Per-interval rate (units per second) of a cumulative series, at the interval's end."""
    return [max(0.0, (v[i] - v[i - 1]) / (t[i] - t[i - 1])) if t[i] > t[i - 1] else 0.0 for i in range(1, len(t))]


def plot_timeline(args):
    d = load_result(args.file)
    ranks = d["per_rank"]
    shown = [(k, r) for k, r in enumerate(ranks) if r.get("timeline")][: args.ranks]
    if not shown:
        sys.exit(f"plot_results.py: {args.file}: no rank has a timeline (written by riversort 0.15 and later)")
    plt = import_matplotlib()
    fig, axes = plt.subplots(len(shown), 1, figsize=(10, 2.6 * len(shown) + 0.6), sharex=True, squeeze=False)
    end = max(r["timeline"]["t_s"][-1] for _, r in shown)
    for (k, r), ax in zip(shown, axes[:, 0]):
        tl = r["timeline"]
        t = tl["t_s"]
        x = t[1:]
        ax.plot(x, [v / 1e6 for v in rates(t, tl["disk_read"])], label="disk read MB/s", color="tab:blue")
        ax.plot(x, [v / 1e6 for v in rates(t, tl["disk_written"])], label="disk write MB/s", color="tab:orange")
        ax.plot(x, [v / 1e6 for v in rates(t, tl["net_received"])], label="net in MB/s", color="tab:green")
        ax.plot(x, [v / 1e6 for v in rates(t, tl["net_sent"])], label="net out MB/s", color="tab:olive",
                linestyle=":")
        ax.set_ylabel("MB/s")
        ax.set_ylim(bottom=0)
        cpu = ax.twinx()
        cores = max(1, r.get("node_cores") or 1)
        cpu.plot(x, [100 * v for v in rates(t, tl["cpu_s"])], label="CPU % (of one core)", color="tab:red",
                 linewidth=0.8)
        cpu.set_ylabel("CPU %")
        cpu.set_ylim(0, 100 * cores * 1.05)
        # The phases: each starts where the one before ended (overhead: launch to the first).
        edge = 0.0
        for p in r["phases"]:
            edge += p["wall_s"]
            ax.axvline(edge, color="grey", linestyle="--", linewidth=0.7)
            ax.text(edge - p["wall_s"] / 2, 1.0, p["name"], transform=ax.get_xaxis_transform(), ha="center",
                    va="bottom", fontsize=7)
        ax.set_title(f"rank {k} ({r.get('host', '')})", fontsize=9, loc="left", pad=12)
        if k == shown[0][0]:
            lines = ax.get_legend_handles_labels()
            more = cpu.get_legend_handles_labels()
            ax.legend(lines[0] + more[0], lines[1] + more[1], fontsize=7, loc="upper left",
                      bbox_to_anchor=(1.06, 1.0), borderaxespad=0)
    axes[-1, 0].set_xlim(0, end)
    axes[-1, 0].set_xlabel("seconds since launch")
    more = f" (first {len(shown)} of {len(ranks)} ranks)" if len(shown) < len(ranks) else ""
    fig.suptitle(f"riversort {d['algo']}, {d['records']} records: timeline per rank{more}", fontsize=10)
    fig.tight_layout()
    os.makedirs(args.out_dir, exist_ok=True)
    stem = os.path.join(args.out_dir, "timeline-" + os.path.splitext(os.path.basename(args.file))[0])
    for ext in ("png", "svg"):
        fig.savefig(f"{stem}.{ext}", dpi=110)
        print(f"{stem}.{ext}")


def plan(riversort, algo, records, ranks, memory):
    """`riversort plan --json` for one job, or None when it is refused."""
    r = subprocess.run([riversort, "plan", "--algo", algo, "--records", str(records), "--ranks", str(ranks),
                        "--memory", memory, "--json"], capture_output=True, text=True)
    return json.loads(r.stdout) if r.returncode == 0 else None


def plot_scale(args):
    plt = import_matplotlib()
    with open(args.file) as f:
        d = json.load(f)
    if "rows" not in d or "meta" not in d:
        sys.exit(f"plot_results.py: {args.file}: not a bench/scale.sh result")
    if not os.access(args.riversort, os.X_OK):
        sys.exit(f"plot_results.py: --riversort {args.riversort}: not an executable (build first)")
    meta, rows = d["meta"], d["rows"]
    algos = []
    for r in rows:
        if r["algo"] not in algos:
            algos.append(r["algo"])
    planned_ranks = [2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 10000]
    fig, (mem, net) = plt.subplots(1, 2, figsize=(12, 4.8))
    colors = plt.get_cmap("tab10")
    for k, algo in enumerate(algos):
        c = colors(k % 10)
        pts = [r for r in rows if r["algo"] == algo and r.get("peak_rss_max")]
        mem.plot([r["hosts"] for r in pts], [r["peak_rss_max"] / 2**20 for r in pts], "o", color=c,
                 label=f"{algo}: measured peak RSS ({meta['records']} records)")
        net.plot([r["hosts"] for r in pts], [r["bridge_bytes"] / r["hosts"] / 1e6 for r in pts], "o", color=c,
                 label=f"{algo}: measured (bridge bytes / P)")
        for records, style, what in ((meta["records"], "-", meta["records"] + " records"),
                                     ("10000000000", "--", "1 TB")):
            plans = [(p, plan(args.riversort, algo, records, p, meta["memory"])) for p in planned_ranks]
            plans = [(p, x) for p, x in plans if x]
            mem.plot([p for p, _ in plans], [x["peak_memory_bytes"] / 2**20 for _, x in plans], style, color=c,
                     label=f"{algo}: planned peak, {what}")
            net.plot([p for p, _ in plans], [max(x["net_bytes_per_rank"], 1) / 1e6 for _, x in plans], style,
                     color=c, label=f"{algo}: planned, {what}")
    for ax in (mem, net):
        ax.set_xscale("log")
        ax.set_xlabel("ranks P (one per host)")
        ax.grid(True, which="both", alpha=0.3)
    mem.set_ylabel(f"MiB per rank (--memory {meta['memory']})")
    mem.set_title("memory per rank")
    net.set_yscale("log")
    net.set_ylabel("MB sent per rank")
    net.set_title("network bytes per rank")
    # The legends go below the axes, where they cannot cover the points.
    for ax in (mem, net):
        ax.legend(fontsize=6.5, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2)
    fig.suptitle(f"riversort at scale: measured on {meta['host']} (namespace hosts, {meta['cores']} cores), "
                 f"planned to 10,000 ranks; commit {meta['commit']}", fontsize=9)
    fig.tight_layout()
    os.makedirs(args.out_dir, exist_ok=True)
    stem = os.path.join(args.out_dir, os.path.splitext(os.path.basename(args.file))[0])
    for ext in ("png", "svg"):
        fig.savefig(f"{stem}.{ext}", dpi=110, bbox_inches="tight")
        print(f"{stem}.{ext}")


def main():
    parser = argparse.ArgumentParser(prog="plot_results.py", description="Pictures of recorded riversort results.")
    sub = parser.add_subparsers(dest="kind", metavar="KIND", required=True,
                                help="what the file holds (iobench, breakdown, timeline, scale)")
    p = sub.add_parser("iobench", help="heat maps of an iobench sweep: transfer size x queue depth -> MB/s")
    p.add_argument("file", metavar="FILE", help="iobench-<host>-<date>.json or .csv")
    p.add_argument("--out-dir", default=RESULTS, help="where the PNG and SVG go (default: %(default)s)")
    p.set_defaults(run=plot_iobench)
    p = sub.add_parser("breakdown", help="phase breakdown bars of riversort sort results (JSON)")
    p.add_argument("files", metavar="FILE", nargs="+", help="results written by riversort sort --result")
    p.add_argument("--out-dir", default=RESULTS, help="where the PNG and SVG go (default: %(default)s)")
    p.add_argument("--name", help="name of the picture (default: the first file's basename)")
    p.set_defaults(run=plot_breakdown)
    p = sub.add_parser("timeline", help="disk, network and CPU over time per rank, from a riversort sort result")
    p.add_argument("file", metavar="FILE", help="a result written by riversort sort --result")
    p.add_argument("--out-dir", default=RESULTS, help="where the PNG and SVG go (default: %(default)s)")
    p.add_argument("--ranks", type=int, default=8, help="panels for the first N ranks (default: %(default)s)")
    p.set_defaults(run=plot_timeline)
    p = sub.add_parser("scale", help="memory and bytes per rank against P: bench/scale.sh's rows and the plan's")
    p.add_argument("file", metavar="FILE", help="scale-<host>-<date>.json written by bench/scale.sh")
    p.add_argument("--out-dir", default=RESULTS, help="where the PNG and SVG go (default: %(default)s)")
    p.add_argument("--riversort", default=os.path.normpath(os.path.join(HERE, "..", "build", "app", "riversort")),
                   help="the binary whose plan is drawn (default: %(default)s)")
    p.set_defaults(run=plot_scale)
    args = parser.parse_args()
    if getattr(args, "file", None) and not os.path.isfile(args.file):
        sys.exit(f"plot_results.py: {args.file}: no such file")
    args.run(args)


if __name__ == "__main__":
    main()
