#!/usr/bin/env python3
"""Delivery through the http sink: collector A (memory queue, http sink) delivers to
collector B (blackhole), both on loopback. Each case prints how fast the events reach B,
from the first event sent to A until B counted the last.

  bench/e2e/delivery.py --binary build/release/tributary [--events N] [--single N]
"""

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bodies  # noqa: E402
from run import free_port, metric_sum, metrics, wait_for_port  # noqa: E402

CASES = [  # (title, single event per request, encoding, compression, concurrency)
    ("cloudevents-batch, gzip, concurrency 1", False, "cloudevents-batch", "gzip", 1),
    ("cloudevents-batch, gzip, concurrency 4", False, "cloudevents-batch", "gzip", 4),
    ("cloudevents-batch, none, concurrency 1", False, "cloudevents-batch", "none", 1),
    ("cloudevents (one per request), concurrency 1", True, "cloudevents", "none", 1),
    ("cloudevents (one per request), concurrency 4", True, "cloudevents", "none", 4),
    ("cloudevents-binary, concurrency 4", True, "cloudevents-binary", "none", 4),
]

SOURCE = """[sources.in]
type = "http"
address = "127.0.0.1:{port}"
max_body_bytes = "64MiB"
"""
BIG_QUEUE = """[sinks.{name}.queue]
max_events = 10000000
max_bytes = "4GiB"
"""


def start(binary: str, work: str, name: str, config: str, port: int) -> subprocess.Popen:
    path = os.path.join(work, name + ".toml")
    with open(path, "w") as f:
        f.write(config)
    log = open(os.path.join(work, name + ".log"), "w")
    proc = subprocess.Popen([binary, "run", "-c", path], stdout=log, stderr=subprocess.STDOUT)
    wait_for_port(port, proc, "collector " + name)
    return proc


def run_case(binary: str, work: str, events_file: str, n: int, encoding: str, compression: str,
             concurrency: int) -> tuple[int, float]:
    pb, pa = free_port(), free_port()
    b = start(binary, work, "b", SOURCE.format(port=pb) + '[sinks.null]\ntype = "blackhole"\n' +
              BIG_QUEUE.format(name="null"), pb)
    a = start(binary, work, "a", SOURCE.format(port=pa) + f"""[sinks.api]
type = "http"
url = "http://127.0.0.1:{pb}/v1/events"
encoding = "{encoding}"
compression = "{compression}"
concurrency = {concurrency}
[sinks.api.batch]
max_age = "50ms"
""" + BIG_QUEUE.format(name="api"), pa)
    try:
        start_at = time.time()
        subprocess.run([binary, "send", "--url", f"http://127.0.0.1:{pa}/v1/events", "--batch",
                        "100", "--concurrency", "4", events_file],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        got, deadline = 0, time.time() + 60
        while got < n and time.time() < deadline:
            got = int(metric_sum(metrics(pb), "tributary_sink_sent_events_total"))
            time.sleep(0.01)
        return got, time.time() - start_at
    finally:
        for p in (a, b):
            p.send_signal(signal.SIGTERM)
            p.wait(timeout=60)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--binary", required=True)
    ap.add_argument("--events", type=int, default=300000, help="events for the batch cases")
    ap.add_argument("--single", type=int, default=20000, help="events for one-per-request cases")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="tributary-delivery-") as work:
        files = {}
        for single, n in ((False, args.events), (True, args.single)):
            files[single] = (os.path.join(work, f"events-{n}.ndjson"), n)
            with open(files[single][0], "w") as f:
                for i in range(n):
                    f.write(json.dumps(bodies.cloudevent(i), separators=(",", ":")) + "\n")
        print(f"http sink delivery, loopback, {os.cpu_count()} cores "
              "(A: memory queue -> http sink -> B: blackhole)")
        for title, single, encoding, compression, concurrency in CASES:
            path, n = files[single]
            got, seconds = run_case(args.binary, work, path, n, encoding, compression, concurrency)
            print(f"{title:<46} {got:>8} of {n:>8} delivered in {seconds:6.2f} s: "
                  f"{got / seconds:>9,.0f} events/s", flush=True)
            if got != n:
                return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
