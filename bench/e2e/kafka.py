#!/usr/bin/env python3
"""Kafka throughput on this machine, against a real single-node broker on loopback
(scripts/services/kafka.sh), with the figures of the two tiers of the scale-out topology:

  HTTP -> Kafka   an edge collector (http source, disk queue, kafka sink) takes N events
                  from `tributary send` (batches of 100, 4 connections); timed from the
                  first event sent until the sink's delivery reports confirmed the last.
  Kafka -> file   a delivery worker (kafka source, disk queue, file sink) consumes those N
                  records; timed from its start until it committed the last offset and the
                  file sink wrote the last event.

  bench/e2e/kafka.py --binary build/release/tributary [--events N]
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
from delivery import start  # noqa: E402
from run import free_port, metric_sum, metrics, proc_cpu_seconds  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
KAFKA = os.path.join(ROOT, "scripts", "services", "kafka.sh")


def edge_config(port: int, brokers: str, topic: str, encoding: str, work: str) -> str:
    return f"""[storage]
data_dir = "{work}/edge-data"
[sources.in]
type = "http"
address = "127.0.0.1:{port}"
max_body_bytes = "64MiB"
[sinks.kafka]
type = "kafka"
brokers = "{brokers}"
topic = "{topic}"
key = "{{/camera}}"
encoding = "{encoding}"
[sinks.kafka.batch]
max_events = 5000
max_age = "20ms"
[sinks.kafka.queue]
type = "disk"
max_events = 10000000
max_bytes = "4GiB"
"""


def worker_config(port: int, brokers: str, topic: str, work: str) -> str:
    return f"""[storage]
data_dir = "{work}/worker-data"
[sources.admin]
type = "http"
address = "127.0.0.1:{port}"
[sources.kafka]
type = "kafka"
brokers = "{brokers}"
topics = ["{topic}"]
group = "bench-{topic}"
[sinks.files]
type = "file"
directory = "{work}/out-{topic}"
max_file_age = "1s"
[sinks.files.batch]
max_events = 10000
max_age = "100ms"
[sinks.files.queue]
type = "disk"
max_events = 10000000
max_bytes = "4GiB"
"""


def wait_metric(port: int, name: str, n: int, limit: float) -> int:
    got, deadline = 0, time.time() + limit
    while got < n and time.time() < deadline:
        got = int(metric_sum(metrics(port), name))
        time.sleep(0.01)
    return got


def stop(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=60)


def run_case(binary: str, work: str, brokers: str, events_file: str, n: int, encoding: str,
             topic: str) -> bool:
    subprocess.run(["bash", KAFKA, "topic", os.path.join(work, "broker"), topic, "4"], check=True)
    pe, pw = free_port(), free_port()
    edge = start(binary, work, "edge-" + topic,
                 edge_config(pe, brokers, topic, encoding, work), pe)
    try:
        t0, cpu0 = time.time(), proc_cpu_seconds(edge.pid)
        subprocess.run([binary, "send", "--url", f"http://127.0.0.1:{pe}/v1/events", "--batch",
                        "100", "--concurrency", "4", events_file],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        got = wait_metric(pe, "tributary_sink_sent_events_total", n, 120)
        seconds, cpu = time.time() - t0, proc_cpu_seconds(edge.pid) - cpu0
    finally:
        stop(edge)
    print(f"HTTP -> Kafka ({encoding:<18}) {got:>8} of {n} in {seconds:6.2f} s: "
          f"{got / seconds:>9,.0f} events/s, {cpu / got * 1e6:5.2f} CPU s per million", flush=True)
    if got != n:
        return False
    worker = start(binary, work, "worker-" + topic, worker_config(pw, brokers, topic, work), pw)
    try:
        t0, cpu0 = time.time(), proc_cpu_seconds(worker.pid)
        consumed = wait_metric(pw, "tributary_kafka_consumed_records_total", n, 120)
        written = wait_metric(pw, "tributary_sink_sent_events_total", n, 120)
        seconds, cpu = time.time() - t0, proc_cpu_seconds(worker.pid) - cpu0
    finally:
        stop(worker)
    print(f"Kafka -> file ({encoding:<18}) {written:>8} of {n} in {seconds:6.2f} s: "
          f"{written / seconds:>9,.0f} events/s, {cpu / written * 1e6:5.2f} CPU s per million "
          f"(includes joining the group)", flush=True)
    return consumed == n and written == n


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--binary", required=True)
    ap.add_argument("--events", type=int, default=500000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="tributary-kafka-bench-") as work:
        broker = os.path.join(work, "broker")
        brokers = subprocess.run(["bash", KAFKA, "start", broker], check=True,
                                 capture_output=True, text=True).stdout.strip()
        try:
            path = os.path.join(work, "events.ndjson")
            with open(path, "w") as f:
                for i in range(args.events):
                    f.write(json.dumps(bodies.plain_event(i), separators=(",", ":")) + "\n")
            print(f"Kafka, single broker on loopback, {os.cpu_count()} cores, "
                  f"{bodies.EVENT_BYTES}-byte events, 4 partitions, disk queues")
            ok = True
            for encoding in ("cloudevents-binary", "cloudevents"):
                ok &= run_case(args.binary, work, brokers, path, args.events, encoding,
                               "bench-" + encoding.replace("cloudevents", "ce"))
            return 0 if ok else 1
        finally:
            subprocess.run(["bash", KAFKA, "stop", broker])


if __name__ == "__main__":
    sys.exit(main())
