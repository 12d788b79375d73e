#!/usr/bin/env python3
"""End-to-end benchmark of Tributary's HTTP ingest, with the ceiling measured in the same run.

Each case starts the collector on a config of its own, has wrk post one fixed body for a
fixed time, and reads from /proc the collector's CPU time, peak RSS and bytes written.
It then lets the collector deliver everything, stops it, and checks that its sinks hold
exactly the events it acknowledged. The ceiling is nginx answering 204 to the same
requests: HTTP on loopback with no work done, measured right before each case, since this
machine's speed drifts over minutes by more than the differences being measured. With
--repeat N each case runs N times (ceiling, then collector) and the table shows the run with
the median ratio, and the range of the ratios. The table at the end gives each case's
events/s, its ratio to the ceiling, the events its sinks delivered per second meanwhile
(lower when the queue absorbs what they cannot keep up with), CPU seconds per million
events, peak RSS and p99 latency (of the acknowledged requests), then the targets. The
reference cases run parts of a target case alone (the file sink without the disk queue,
the disk queue without the file, or neither), and the end says how close each part alone
comes to its target.

  bench/e2e/run.py --binary build/release/tributary            # every case, 10 s each
  bench/e2e/run.py --binary ... --case single --duration 5     # one case
  bench/e2e/run.py --binary ... --repeat 3                     # median of 3 runs per case
  bench/e2e/run.py --binary ... --smoke                        # 1 s each, for `make test`

Exits 1 if a case lost or invented events, or could not run; targets missed are reported
(and fail the run with --strict), never asserted by `make test`.
"""

import argparse
import dataclasses
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bodies  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
CLK_TCK = os.sysconf("SC_CLK_TCK")


@dataclasses.dataclass
class Case:
    id: str
    title: str
    body: str = "plain"  # plain | cloudevents
    events: int = 100  # per request
    connections: int = 16
    file_sinks: int = 1  # 0 = one blackhole sink
    queue: str = "disk"
    queue_bytes: str = "1GiB"
    fsync: str = "interval"


CASES = [
    Case("blackhole", "batch of 100 -> blackhole, memory queue", file_sinks=0, queue="memory"),
    Case("file", "batch of 100 -> file, disk queue (interval)"),
    Case("file-always", "batch of 100 -> file, disk queue (always)", fsync="always"),
    Case("single", "1 event per request -> file, disk queue", events=1),
    Case("cloudevents", "CloudEvents batch of 100 -> file, disk queue", body="cloudevents"),
    Case("three-sinks", "batch of 100 -> 3 file sinks, disk queue", file_sinks=3),
    Case("c64", "batch of 100 -> file, disk queue, 64 connections", connections=64),
    # Reference cases, with no target of their own: each runs one part of a target case
    # alone (the file without the disk queue, the disk queue without the file, or neither),
    # so that every run shows how far that part alone gets towards the target. The file's
    # memory queue holds a few batches: its events/s is what the file sink itself sustains.
    Case("ref-file-memory", "reference: batch of 100 -> file, memory queue", queue="memory",
         queue_bytes="64MiB"),
    Case("ref-disk-blackhole", "reference: batch of 100 -> blackhole, disk queue", file_sinks=0),
    Case("ref-single-memory", "reference: 1 event per request -> blackhole, memory queue",
         events=1, file_sinks=0, queue="memory"),
    Case("ref-single-disk", "reference: 1 event per request -> blackhole, disk queue",
         events=1, file_sinks=0),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, proc: subprocess.Popen, what: str) -> None:
    for _ in range(200):
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode} before listening")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{what} did not listen on port {port}")


def proc_cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime, stime


def proc_status_kib(pid: int, key: str) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def proc_write_bytes(pid: int) -> int:
    with open(f"/proc/{pid}/io") as f:
        for line in f:
            if line.startswith("write_bytes:"):
                return int(line.split()[1])
    return 0


def metrics(port: int) -> dict:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as r:
        text = r.read().decode()
    out = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.rpartition(" ")
            out[name] = float(value)
    return out


def metric_sum(m: dict, prefix: str) -> float:
    return sum(v for k, v in m.items() if k.split("{")[0] == prefix)


def run_wrk(url: str, body_file: str, ctype: str, connections: int, seconds: float) -> dict:
    env = dict(os.environ, BODY_FILE=body_file, CONTENT_TYPE=ctype)
    cmd = ["wrk", "-t", "2", "-c", str(connections), "-d", f"{max(1, round(seconds))}s",
           "--timeout", "10s", "-s", os.path.join(HERE, "post.lua"), url]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=seconds + 60)
    for line in reversed(out.stdout.splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    raise RuntimeError("wrk printed no result:\n" + out.stdout + out.stderr)


def count_lines(directory: str) -> int:
    n = 0
    for root, _, files in os.walk(directory):
        for name in files:
            if name.startswith("."):
                continue  # a temporary file is not output
            with open(os.path.join(root, name), "rb") as f:
                while chunk := f.read(1 << 20):
                    n += chunk.count(b"\n")
    return n


def collector_config(case: Case, work: str, port: int) -> str:
    lines = [
        "[storage]",
        f'data_dir = "{work}/data"',
        f'fsync = "{case.fsync}"',
        "[sources.in]",
        'type = "http"',
        f'address = "127.0.0.1:{port}"',
    ]
    sinks = ["null"] if case.file_sinks == 0 else [f"files{i}" for i in range(case.file_sinks)]
    for name in sinks:
        lines += [f"[sinks.{name}]"]
        if case.file_sinks == 0:
            lines += ['type = "blackhole"']
        else:
            lines += ['type = "file"', f'directory = "{work}/out/{name}"',
                      'max_file_age = "30s"', 'max_file_bytes = "64MiB"']
        lines += [f"[sinks.{name}.queue]", f'type = "{case.queue}"',
                  f'max_bytes = "{case.queue_bytes}"', "max_events = 10000000"]
    return "\n".join(lines) + "\n"


def measure_collector(case: Case, binary: str, seconds: float, work: str) -> dict:
    os.makedirs(work, exist_ok=True)
    port = free_port()
    config = os.path.join(work, "tributary.toml")
    with open(config, "w") as f:
        f.write(collector_config(case, work, port))
    body, ctype = bodies.body(case.body, case.events)
    body_file = os.path.join(work, "body.json")
    with open(body_file, "wb") as f:
        f.write(body)
    log = open(os.path.join(work, "collector.log"), "w")
    proc = subprocess.Popen([binary, "run", "-c", config], stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for_port(port, proc, "tributary")
        time.sleep(0.5)
        idle_rss = proc_status_kib(proc.pid, "VmRSS")
        m0 = metrics(port)
        cpu0, io0 = proc_cpu_seconds(proc.pid), proc_write_bytes(proc.pid)
        w = run_wrk(f"http://127.0.0.1:{port}/v1/events", body_file, ctype, case.connections,
                    seconds)
        cpu1, io1 = proc_cpu_seconds(proc.pid), proc_write_bytes(proc.pid)
        peak_rss = proc_status_kib(proc.pid, "VmHWM")
        m1 = metrics(port)
        acked = metric_sum(m1, "tributary_source_received_events_total") - metric_sum(
            m0, "tributary_source_received_events_total")
        queue_bytes = metric_sum(m1, "tributary_queue_written_bytes_total") - metric_sum(
            m0, "tributary_queue_written_bytes_total")
        # What the sinks delivered meanwhile: below `acked` when they fall behind the source
        # and the queue absorbs the difference (until it is full).
        sent_during = metric_sum(m1, "tributary_sink_sent_events_total") - metric_sum(
            m0, "tributary_sink_sent_events_total")
        # Let every sink deliver what was acknowledged, then stop (which completes files).
        # Requests wrk had in flight when it stopped may still be acknowledged (with fsync =
        # "always", after a sync): the count must have stopped moving too.
        sinks = max(case.file_sinks, 1)
        deadline = time.time() + 120
        total = -1.0
        while True:
            m = metrics(port)
            before, total = total, metric_sum(m, "tributary_source_received_events_total")
            sent_to_null = metric_sum(m, "tributary_sink_sent_events_total")
            if (sent_to_null >= total * sinks and total == before) or time.time() > deadline:
                break
            time.sleep(0.2)
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        log.close()
    if case.file_sinks == 0:
        delivered = [int(sent_to_null)]
    else:
        delivered = [count_lines(os.path.join(work, "out", f"files{i}"))
                     for i in range(case.file_sinks)]
    seconds_run = w["duration_us"] / 1e6
    return {
        "events_per_s": acked / seconds_run,
        "delivered_per_s": sent_during / max(case.file_sinks, 1) / seconds_run,
        "requests_per_s": acked / case.events / seconds_run,
        "cpu_s_per_m": (cpu1 - cpu0) / acked * 1e6 if acked else float("nan"),
        "idle_rss_mib": idle_rss / 1024,
        "peak_rss_mib": peak_rss / 1024,
        # Of the acknowledged requests (an upper bound when some were refused): once a full
        # queue answers 503 at once, the p99 of all answers would count those.
        "p99_ms": w["p99_ok_us"] / 1000,
        "disk_bytes_per_event": (io1 - io0) / acked if acked else float("nan"),
        "queue_bytes_per_event": queue_bytes / acked if acked else float("nan"),
        "acked": int(total),
        "delivered": delivered,
        "errors": w["non2xx"] + w["connect_errors"] + w["read_errors"] + w["write_errors"] +
        w["timeouts"],
    }


NGINX_CONF = """worker_processes auto;
pid {work}/nginx.pid;
error_log {work}/error.log warn;
{user}
events {{ worker_connections 4096; }}
http {{
  access_log off;
  client_body_temp_path {work}/body;
  server {{
    listen 127.0.0.1:{port} reuseport;
    client_max_body_size 64m;
    location / {{ return 204; }}
  }}
}}
"""


def measure_ceiling(case: Case, seconds: float, work: str) -> dict:
    os.makedirs(work, exist_ok=True)
    port = free_port()
    with open(os.path.join(work, "nginx.conf"), "w") as f:
        f.write(NGINX_CONF.format(work=work, port=port,
                                  user="user root;" if os.geteuid() == 0 else ""))
    body, ctype = bodies.body(case.body, case.events)
    body_file = os.path.join(work, "body.json")
    with open(body_file, "wb") as f:
        f.write(body)
    proc = subprocess.Popen(["nginx", "-p", work, "-c", os.path.join(work, "nginx.conf"),
                             "-g", "daemon off;"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        wait_for_port(port, proc, "nginx")
        w = run_wrk(f"http://127.0.0.1:{port}/", body_file, ctype, case.connections, seconds)
    finally:
        proc.send_signal(signal.SIGQUIT)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    rps = w["requests"] / (w["duration_us"] / 1e6)
    return {"requests_per_s": rps, "events_per_s": rps * case.events, "p99_ms": w["p99_us"] / 1000}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--binary", required=True, help="the tributary binary to measure")
    ap.add_argument("--case", action="append", help="case id (repeatable); default all: " +
                    ", ".join(c.id for c in CASES))
    ap.add_argument("--duration", type=float, default=10, help="seconds of load per case")
    ap.add_argument("--repeat", type=int, default=1,
                    help="runs per case, each with its own ceiling; the median ratio is shown")
    ap.add_argument("--smoke", action="store_true", help="1 s per case, to prove it works")
    ap.add_argument("--strict", action="store_true", help="exit 1 if a target is missed")
    args = ap.parse_args()
    if args.smoke:
        args.duration, args.repeat = 1, 1
    if args.repeat < 1:
        print("bench: --repeat must be at least 1", file=sys.stderr)
        return 1
    for tool in ("wrk", "nginx"):
        if not shutil.which(tool):
            print(f"bench: `{tool}` is missing; run scripts/setup.sh", file=sys.stderr)
            return 1
    cases = [c for c in CASES if not args.case or c.id in args.case]
    if not cases:
        print("bench: no such case; cases are " + ", ".join(c.id for c in CASES), file=sys.stderr)
        return 1
    work = tempfile.mkdtemp(prefix="tributary-e2e-")
    print(f"{os.cpu_count()} cores, {args.duration:g} s per case, wrk -t2, "
          f"~{bodies.EVENT_BYTES}-byte events; work dir {work}", flush=True)
    results, failed = {}, False
    try:
        for c in cases:
            runs = []
            for k in range(args.repeat):
                # The ceiling right before the case: a ratio of two runs minutes apart would
                # measure the machine's drift as much as the collector.
                ceiling = measure_ceiling(c, args.duration, os.path.join(work, "nginx"))
                shutil.rmtree(os.path.join(work, "nginx"), ignore_errors=True)
                r = measure_collector(c, args.binary, args.duration, os.path.join(work, c.id))
                shutil.rmtree(os.path.join(work, c.id), ignore_errors=True)
                r["ratio"] = r["events_per_s"] / ceiling["events_per_s"]
                r["ceiling_p99_ms"] = ceiling["p99_ms"]
                ok = all(d == r["acked"] for d in r["delivered"]) and r["acked"] > 0
                failed |= not ok
                run = f" (run {k + 1}/{args.repeat})" if args.repeat > 1 else ""
                print(f"  {c.id}{run}: ceiling {ceiling['events_per_s']:,.0f} events/s "
                      f"(p99 {ceiling['p99_ms']:.2f} ms), "
                      f"collector {r['events_per_s']:,.0f} ({r['ratio']:.1%}, "
                      f"p99 {r['p99_ms']:.2f} ms), acknowledged "
                      f"{r['acked']:,}, delivered {r['delivered']}{'' if ok else '  <-- MISMATCH'}"
                      f"{', %d failed requests' % r['errors'] if r['errors'] else ''}", flush=True)
                runs.append(r)
            runs.sort(key=lambda r: r["ratio"])
            results[c.id] = dict(runs[len(runs) // 2], ratios=[r["ratio"] for r in runs],
                                 p99s=[r["p99_ms"] for r in runs])
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print()
    # The range of the ratios over the --repeat runs (one run: that ratio twice).
    width = max(len(c.title) for c in cases)
    print(f"| {'case':<{width}} | {'events/s':>10} | {'of ceiling':>10} | {'range':>13} | "
          f"{'delivered/s':>11} | {'CPU s/M ev':>10} | {'peak RSS':>9} | {'p99':>8} | "
          f"{'nginx p99':>9} | {'queue B/ev':>10} |")
    print("|" + "|".join("-" * w for w in (width + 2, 12, 12, 15, 13, 12, 11, 10, 11, 12)) + "|")
    for c in cases:
        r = results[c.id]
        spread = f"{r['ratios'][0]:.1%}-{r['ratios'][-1]:.1%}"
        print(f"| {c.title:<{width}} | {r['events_per_s']:>10,.0f} | {r['ratio']:>9.1%} | "
              f"{spread:>13} | {r['delivered_per_s']:>11,.0f} | {r['cpu_s_per_m']:>10.2f} | "
              f"{r['peak_rss_mib']:>5.1f} MiB | {r['p99_ms']:>5.2f} ms | "
              f"{r['ceiling_p99_ms']:>6.2f} ms | {r['queue_bytes_per_event']:>10.0f} |")

    targets = []
    if "file" in results:
        r = results["file"]
        targets += [("batch -> file, disk queue: >= 30% of the ceiling", r["ratio"] >= 0.30,
                     f"{r['ratio']:.1%}"),
                    ("peak RSS of the batch case <= 64 MiB", r["peak_rss_mib"] <= 64,
                     f"{r['peak_rss_mib']:.1f} MiB"),
                    ("idle RSS <= 10 MiB", r["idle_rss_mib"] <= 10, f"{r['idle_rss_mib']:.1f} MiB"),
                    ("p99 of the batch case at 16 connections <= 5 ms", r["p99_ms"] <= 5,
                     f"{r['p99_ms']:.2f} ms (nginx answering 204 before it: "
                     f"{r['ceiling_p99_ms']:.2f} ms"
                     + (f"; all runs: {min(r['p99s']):.2f}-{max(r['p99s']):.2f} ms"
                        if len(r["p99s"]) > 1 else "") + ")")]
    if "blackhole" in results:
        r = results["blackhole"]
        targets.append(("batch -> blackhole: >= 40% of the ceiling", r["ratio"] >= 0.40,
                        f"{r['ratio']:.1%}"))
    if "single" in results:
        r = results["single"]
        targets.append(("1 event per request -> file, disk queue: >= 75% of the ceiling's "
                        "requests/s", r["ratio"] >= 0.75, f"{r['ratio']:.1%}"))
    if "file" in results and "three-sinks" in results:
        one, three = results["file"]["queue_bytes_per_event"], results["three-sinks"][
            "queue_bytes_per_event"]
        targets.append(("queue bytes written per event, 3 sinks <= 1.2 x 1 sink",
                        three <= 1.2 * one, f"{three:.0f} vs {one:.0f} B"))
    if targets:
        print("\nTargets:")
        for name, ok, value in targets:
            print(f"  {'PASS' if ok else 'MISS'}  {name}: {value}")
    refs = []
    if "file" in results and "ref-file-memory" in results and "ref-disk-blackhole" in results:
        refs.append(f"batch -> file, disk queue (>= 30%): the file sink alone, with no disk "
                    f"queue, reaches {results['ref-file-memory']['ratio']:.1%}; the disk queue "
                    f"alone, into a blackhole, {results['ref-disk-blackhole']['ratio']:.1%}")
    if "single" in results and "ref-single-memory" in results and "ref-single-disk" in results:
        refs.append(f"1 event per request -> file, disk queue (>= 75%): with no disk queue and "
                    f"no file, {results['ref-single-memory']['ratio']:.1%}; the disk queue alone, "
                    f"into a blackhole, {results['ref-single-disk']['ratio']:.1%}")
    if refs:
        print("\nThe same targets for parts of the work alone (reference cases):")
        for line in refs:
            print(f"  {line}")
    missed = any(not ok for _, ok, _ in targets)
    if failed:
        print("\nbench: a case's sinks do not hold exactly the acknowledged events", file=sys.stderr)
    return 1 if failed or (args.strict and missed) else 0


if __name__ == "__main__":
    sys.exit(main())
