"""bench/results.json → medians, the issue's targets, and the README's benchmark tables."""

from pathlib import Path
import statistics
from typing import Any

BEGIN = "<!-- bench:begin (written by scripts/bench from the run in bench/results.json) -->"
END = "<!-- bench:end -->"
ON, OFF = "recorder on", "integration not recorded"
NODE = "Node sipgateio server (verifying)"
LIFE = "sipgate call lifecycle"
ANSWERED = "sipgate, answered by an automation (reject)"
NOTICE = "sipgate, non-answering automation"
NEWCALL = "sipgate newCall only"
EXCLUDED = "sipgate call lifecycle, entities and events not recorded"
METRICS = (
    "req_s",
    "p50_ms",
    "p99_ms",
    "loop_us",
    "recorder_us",
    "total_us",
    "lag_p99_ms",
    "lag_max_ms",
    "gc_max_ms",
    "drain_s",
)


def _spread(values: list[float]) -> dict[str, float]:
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def summarise(results: dict[str, Any]) -> dict[str, Any]:
    """Median and min-max of each figure of each row over the repetitions, and the targets."""
    groups: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    for row in results["rows"]:
        groups.setdefault((row["phase"], row["row"], row["mode"]), []).append(row)
    rows = []
    for (phase, name, mode), reps in groups.items():
        entry: dict[str, Any] = {"phase": phase, "row": name, "mode": mode, "reps": len(reps)}
        entry["requests"] = reps[0]["requests"]
        for metric in METRICS:
            values = [r[metric] for r in reps if r.get(metric) is not None]
            if values:
                entry[metric] = _spread(values)
        for kind in ("newCall", "answer", "hangup"):
            values = [r["kinds"][kind]["p99_ms"] for r in reps if kind in r.get("kinds", {})]
            if values:
                entry[f"{kind}_p99_ms"] = _spread(values)
            values = [r["kinds"][kind]["p50_ms"] for r in reps if kind in r.get("kinds", {})]
            if values:
                entry[f"{kind}_p50_ms"] = _spread(values)
        rows.append(entry)
    summary: dict[str, Any] = {"rows": rows}
    summary["targets"] = targets(rows, results)
    return summary


def _find(rows: list[dict[str, Any]], phase: str, name: str, mode: str) -> dict[str, Any] | None:
    return next((r for r in rows if r["phase"] == phase and r["row"] == name and r["mode"] == mode), None)


def _m(row: dict[str, Any] | None, metric: str) -> float | None:
    if row is None or metric not in row:
        return None
    return float(row[metric]["median"])


def targets(rows: list[dict[str, Any]], results: dict[str, Any]) -> list[dict[str, Any]]:
    """Each target of issue 15: its figure (medians of the repetitions) and whether it is met."""
    out = []

    def add(target: str, figure: str, met: bool | None) -> None:
        out.append({"target": target, "measured": figure, "met": met})

    cpu1 = _m(_find(rows, ON, NEWCALL, "c=1"), "loop_us")
    cpu32 = _m(_find(rows, ON, NEWCALL, "c=32"), "loop_us")
    if cpu1 is not None and cpu32 is not None:
        add(
            "event-loop CPU per signed newCall ≤ 500 µs at c=1 and c=32",
            f"{cpu1:.0f} µs (c=1), {cpu32:.0f} µs (c=32)",
            cpu1 <= 500 and cpu32 <= 500,
        )
    node_paced = _find(rows, ON, NODE, "paced")
    plain = _find(rows, ON, LIFE, "paced")
    answered = _find(rows, ON, ANSWERED, "paced")
    notice = _find(rows, ON, NOTICE, "paced")
    node_p99, plain_nc, plain_all = _m(node_paced, "p99_ms"), _m(plain, "newCall_p99_ms"), _m(plain, "p99_ms")
    if node_p99 is not None and plain_nc is not None and plain_all is not None:
        add(
            "paced 20 calls/s, recorder on: p99 reply ≤ the Node server's p99",
            f"newCall p99 {plain_nc:.1f} ms, all pushes {plain_all:.1f} ms; Node {node_p99:.1f} ms",
            max(plain_nc, plain_all) <= node_p99,
        )
    answered_nc = _m(answered, "newCall_p99_ms")
    if answered_nc is not None and plain_nc:
        add(
            "paced 20 calls/s: an answering automation's p99 ≤ 3× the unanswered p99",
            f"newCall p99 {answered_nc:.1f} ms = {answered_nc / plain_nc:.1f}× {plain_nc:.1f} ms",
            answered_nc <= 3 * plain_nc,
        )
    figures, met = [], True
    for mode in ("c=1", "c=32"):
        ours, node = _m(_find(rows, OFF, EXCLUDED, mode), "req_s"), _m(_find(rows, OFF, NODE, mode), "req_s")
        if ours is None or node is None:
            continue
        figures.append(f"{mode}: {ours:.0f} vs Node {node:.0f} req/s ({ours / node:.2f}×)")
        met = met and ours >= node
    if figures:
        add(
            "saturation, the integration's entities and events not recorded: throughput ≥ the Node server's",
            "; ".join(figures),
            met,
        )
    notice_nc, notice_p50, plain_p50 = (
        _m(notice, "newCall_p99_ms"),
        _m(notice, "newCall_p50_ms"),
        _m(plain, "newCall_p50_ms"),
    )
    if notice_nc is not None and plain_nc is not None and notice_p50 is not None and plain_p50 is not None:
        add(
            "a non-answering automation adds ≤ 100 ms",
            f"newCall p99 +{notice_nc - plain_nc:.1f} ms, p50 +{notice_p50 - plain_p50:.1f} ms (paced)",
            notice_nc - plain_nc <= 100,
        )
    if results.get("import_ms"):
        median = statistics.median(results["import_ms"])
        add(
            "import ≤ 80 ms",
            f"{median:.0f} ms (median of 5; {min(results['import_ms']):.0f}–{max(results['import_ms']):.0f})",
            median <= 80,
        )
    if results.get("reloads_s"):
        median = statistics.median(results["reloads_s"])
        add(
            "entry set-up ≤ 0.5 s",
            f"{median:.2f} s (reload = unload + set-up, median of {len(results['reloads_s'])}; max {max(results['reloads_s']):.2f})",
            median <= 0.5,
        )
    return out


def _cell(row: dict[str, Any], metric: str, digits: int = 0) -> str:
    if metric not in row:
        return "–"
    s = row[metric]
    fmt = f"{{:.{digits}f}}"
    if row["reps"] == 1:
        return fmt.format(s["median"])
    return f"{fmt.format(s['median'])} ({fmt.format(s['min'])}–{fmt.format(s['max'])})"


def markdown(results: dict[str, Any]) -> str:
    """The README's benchmark section (tables and figures) from one run."""
    summary = results["summary"]
    rows = summary["rows"]
    lines = [
        BEGIN,
        "",
        f"Run of {results['started']} – {results['finished']} ({results['machine']}, Home Assistant "
        f"{results.get('ha_version', '?')}); load average of the machine before {results['load_average_before']}, "
        f"after {results['load_average_after']}. Medians of {max(r['reps'] for r in rows)} interleaved repetitions, "
        "min–max in brackets. CPU is per request; the event loop is Home Assistant's main thread "
        "(the Node server's main thread in its rows); recorder CPU counts until the recorder has "
        "committed the row.",
        "",
        "At saturation (wrk, keep-alive, each request of the pool sent once):",
        "",
        "| row | recorder | c | requests | req/s | p50 ms | p99 ms | event-loop CPU µs | recorder CPU µs | loop lag p99 ms | longest GC pause ms |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in rows:
        if r["mode"] == "paced":
            continue
        lines.append(
            f"| {r['row']} | {'on' if r['phase'] == ON else 'integration excluded'} | {r['mode'][2:]} | {r['requests']} | "
            f"{_cell(r, 'req_s')} | {_cell(r, 'p50_ms', 2)} | {_cell(r, 'p99_ms', 1)} | {_cell(r, 'loop_us')} | "
            f"{_cell(r, 'recorder_us')} | {_cell(r, 'lag_p99_ms', 1)} | {_cell(r, 'gc_max_ms', 1)} |"
        )
    lines += [
        "",
        "Paced at 20 calls/s (newCall, answer 2 s later, hangup 5 s later, each request in a 1/60 s "
        "slot of its own; the Node server gets its signed sample at the same 60 requests/s, at the "
        "same instants), recorder on; latency counted from each request's "
        "scheduled time:",
        "",
        "| row | requests | p50 ms | p99 ms (all) | newCall p50 ms | newCall p99 ms | event-loop CPU µs | recorder CPU µs | loop lag p99 / max ms | longest GC pause ms |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in rows:
        if r["mode"] != "paced":
            continue
        lines.append(
            f"| {r['row']} | {r['requests']} | {_cell(r, 'p50_ms', 2)} | {_cell(r, 'p99_ms', 1)} | "
            f"{_cell(r, 'newCall_p50_ms', 2)} | {_cell(r, 'newCall_p99_ms', 1)} | {_cell(r, 'loop_us')} | "
            f"{_cell(r, 'recorder_us')} | {_cell(r, 'lag_p99_ms', 1)} / {_cell(r, 'lag_max_ms', 1)} | "
            f"{_cell(r, 'gc_max_ms', 1)} |"
        )
    lines += ["", "The targets of issue 15:", "", "| target | measured | met? |", "| --- | --- | --- |"]
    for t in summary["targets"]:
        met = "yes" if t["met"] else "**no**"
        lines.append(f"| {t['target']} | {t['measured']} | {met} |")
    profile = results.get("profile")
    if profile:
        samples = profile["samples"]
        held = sum(samples.values()) or 1
        lines += [
            "",
            f"Where a call's time goes: py-spy (`--gil`, 1000 samples/s) while {profile['requests']} lifecycle "
            "pushes (c=1) are handled and recorded. Only samples of a thread holding the GIL count: the "
            "Python work itself, not time in system calls or waiting for the GIL. Of those samples, the event "
            f"loop holds {round(100 * samples.get('loop', 0) / held)} %, the recorder "
            f"{round(100 * samples.get('recorder', 0) / held)} %, other threads "
            f"{round(100 * samples.get('other', 0) / held)} % ({held} in all).",
            "",
            "| event loop, innermost code | share | event loop, inclusive | share |",
            "| --- | --- | --- | --- |",
        ]
        a = list(profile["loop_by_area_pct"].items())
        b = list(profile["loop_inclusive_pct"].items())
        for i in range(max(len(a), len(b))):
            left = [a[i][0], f"{a[i][1]} %"] if i < len(a) else ["", ""]
            right = [f"`{b[i][0]}`", f"{b[i][1]} %"] if i < len(b) else ["", ""]
            lines.append("| " + " | ".join(left + right) + " |")
        lines += ["", "| recorder thread, innermost code | share |", "| --- | --- |"]
        lines += [f"| {name} | {share} % |" for name, share in profile["recorder_by_area_pct"].items()]
    idle = results.get("idle_loop_us_per_s") or []
    lines.append("")
    ended = [r for r in results["rows"] if "active_calls_after" in r and r["row"] != NEWCALL]
    if ended:
        lines += [
            f"- After each of the {len(ended)} rows whose calls all hang up: at most "
            f"{max(r['active_calls_after'] for r in ended)} active calls and "
            f"{max(r['pending_replies_after'] for r in ended)} held replies were left "
            f"({sum(r['requests'] for r in ended)} pushes in all).",
        ]
    lines += [
        f"- The recorder's thread: {results.get('recorder_thread')}.",
        f"- Verifying one push's RSA-4096 signature with the integration's verifier costs "
        f"{results.get('rsa_verify_us')} µs here (measured in the benchmark's own process).",
        f"- An idle event loop costs {statistics.median(idle) if idle else '?'} µs of CPU per second here "
        "(timers, the lag probe); in the paced rows that is part of each request's figure.",
        f"- Import times (ms): {results.get('import_ms')}; entry reloads (s): "
        f"{[round(x, 2) for x in results.get('reloads_s', [])]}.",
        "",
        END,
    ]
    return "\n".join(lines)


def write_readme(readme: Path, text: str) -> None:
    """Replace the generated part of the README's benchmark section."""
    content = readme.read_text(encoding="utf-8")
    if BEGIN not in content or END not in content:
        raise RuntimeError("the README has no generated benchmark part (bench:begin/end markers)")
    head, rest = content.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    readme.write_text(head + text + tail, encoding="utf-8")
