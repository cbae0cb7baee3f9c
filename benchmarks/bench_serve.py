"""`audiopaper serve` under a burst (issue #16): a real server process, real sockets.

Starts ``audiopaper serve`` on a small output folder, then
  1. opens N connections at the same moment (default 200), each asking for a 1 MB MP3,
     and prints the seconds each took to a whole answer (max, median, failures);
  2. holds H idle connections open (default 550) and prints the server's thread count
     (from /proc) and how long one real request then takes.

Usage: python benchmarks/bench_serve.py [--clients 200] [--held 550]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

MP3 = "/editions/2022-01-28/articles/01-a.mp3"


def fetch(port: int) -> tuple[float, int]:
    t0 = time.monotonic()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("GET", MP3)
        response = conn.getresponse()
        body = response.read()
        return time.monotonic() - t0, response.status if len(body) == 1_000_000 else -1
    except OSError:
        return time.monotonic() - t0, 0
    finally:
        conn.close()


def burst(port: int, n: int) -> list[tuple[float, int]]:
    gate = threading.Barrier(n)
    results: list[tuple[float, int]] = []

    def client() -> None:
        gate.wait()
        results.append(fetch(port))

    threads = [threading.Thread(target=client) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def threads_of(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("Threads:"):
            return int(line.split()[1])
    return -1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--held", type=int, default=550)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        (out / "editions/2022-01-28/articles").mkdir(parents=True)
        (out / MP3.lstrip("/")).write_bytes(os.urandom(1_000_000))
        server = subprocess.Popen(
            [sys.executable, "-m", "audiopaper", "serve", str(out), "--port", "0", "-q"],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        try:
            url = server.stdout.readline().strip()  # type: ignore[union-attr]
            port = int(url.rsplit(":", 1)[1].strip("/"))
            results = burst(port, args.clients)
            times = sorted(t for t, _ in results)
            report: dict[str, object] = {
                "burst": {
                    "clients": args.clients,
                    "ok": sum(1 for _, s in results if s == 200),
                    "max_s": round(times[-1], 3),
                    "median_s": round(statistics.median(times), 3),
                    "p95_s": round(times[int(len(times) * 0.95) - 1], 3),
                }
            }
            idle_threads = threads_of(server.pid)
            held = [socket.create_connection(("127.0.0.1", port)) for _ in range(args.held)]
            time.sleep(0.5)
            seconds, status = fetch(port)
            report["held"] = {
                "sockets": args.held,
                "server_threads_idle": idle_threads,
                "server_threads_with_held": threads_of(server.pid),
                "one_request_s": round(seconds, 3),
                "status": status,
            }
            for s in held:
                s.close()
        finally:
            server.terminate()
            server.wait(10)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
