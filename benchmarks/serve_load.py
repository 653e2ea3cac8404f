"""A classroom on one laptop: concurrent clients against `microsim serve`, on loopback only.

Starts the server on a free port of 127.0.0.1 (never another address), waits until it answers,
then runs two phases with ``--clients`` threads (default 30), each sending ``--requests`` requests
(default 10):

- "shared": the class moves the same slider together (the social pension's amount through ten
  values): after the first of each, answers come from the server's memory;
- "own": every request a reform of its own (amount and age differ by client and request): each a
  simulation, one at a time on the server, with no pause between requests (the worst case);
- "trainees": the classroom as the page makes it, each trainee a reform of their own: a change
  sends /api/simulate then /api/tables (the second answered from memory), the trainee reads the
  answer for about ``--think`` seconds (default 3: drawn between half and one and a half times it,
  seeded by the trainee's number, as trainees do not move in step; each starts at a random moment
  of the first pause) and moves the slider again; the time measured is the pair's, what the
  trainee waits.

Prints, per phase, the requests answered, errors, the median, 95th percentile and slowest response
in milliseconds and the requests per second, then a JSON document. Bounded: at most 100 clients
and 5,000 requests a phase, and ``--seconds`` (default 300) for the whole benchmark. Usage:

    python benchmarks/serve_load.py
    python benchmarks/serve_load.py --clients 10 --requests 5
"""

from __future__ import annotations

import argparse
import json
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

HOME = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"  # loopback only
MAX_CLIENTS, MAX_REQUESTS = 100, 5000


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def post(url: str, body: dict, timeout: float) -> tuple[float, int]:
    """(seconds, HTTP status) of one POST."""
    start = time.perf_counter()
    request = urllib.request.Request(url, json.dumps(body).encode(), {"content-type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read()
            status = response.status
    except urllib.error.HTTPError as e:
        status = e.code
    except OSError:
        status = 0
    return time.perf_counter() - start, status


def reform(amount: int, age: int) -> dict:
    return {"year": 2026, "reform": {"social_pension.active": True, "social_pension.amount": amount,
                                     "social_pension.min_age": age}}


def phase(urls: list[str], clients: int, requests: int, body_of, deadline: float, think: float = 0.0) -> dict:
    """Each client sends ``requests`` bodies, each to every one of ``urls`` in turn (timed together),
    pausing ``think`` seconds after each answer."""
    times, errors, lock = [], [0], threading.Lock()

    def client(c: int):
        pauses = random.Random(c)  # each client's own, the same at every run
        if think:
            time.sleep(pauses.uniform(0, think))
        for r in range(requests):
            if time.monotonic() > deadline:
                return
            seconds, statuses = 0.0, []
            for url in urls:
                spent, status = post(url, body_of(c, r), timeout=max(1.0, deadline - time.monotonic()))
                seconds, statuses = seconds + spent, statuses + [status]
            ok = all(status == 200 for status in statuses)
            with lock:
                (times.append(seconds) if ok else None)
                errors[0] += not ok
            time.sleep(pauses.uniform(0.5 * think, 1.5 * think) if think else 0.0)

    start = time.perf_counter()
    threads = [threading.Thread(target=client, args=(c,)) for c in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=max(0.0, deadline - time.monotonic()) + 5)
    wall = time.perf_counter() - start
    ms = sorted(t * 1000 for t in times)
    p95 = ms[min(len(ms) - 1, int(round(0.95 * (len(ms) - 1))))] if ms else None
    return {"answered": len(ms), "errors": errors[0], "median_ms": round(statistics.median(ms), 1) if ms else None,
            "p95_ms": round(p95, 1) if ms else None, "max_ms": round(ms[-1], 1) if ms else None,
            "requests_per_s": round(len(ms) / wall, 1) if wall else None}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=30)
    parser.add_argument("--requests", type=int, default=10, help="requests per client and phase")
    parser.add_argument("--seconds", type=float, default=300, help="bound on the whole benchmark")
    parser.add_argument("--think", type=float, default=3.0, help="seconds a trainee reads an answer (trainees phase)")
    args = parser.parse_args()
    if not 1 <= args.clients <= MAX_CLIENTS or not 1 <= args.clients * args.requests <= MAX_REQUESTS:
        parser.error(f"at most {MAX_CLIENTS} clients and {MAX_REQUESTS} requests a phase")
    deadline = time.monotonic() + args.seconds
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "microsim", "serve", "--host", HOST, "--port", str(port)],
                              cwd=HOME, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"http://{HOST}:{port}/api/simulate"
        tables = f"http://{HOST}:{port}/api/tables"
        ready_by = min(deadline, time.monotonic() + 60)
        while time.monotonic() < ready_by:
            if post(url, reform(100000, 65), timeout=30)[1] == 200:
                break
            time.sleep(0.2)
        else:
            raise SystemExit("the server did not answer within a minute")
        amounts = [60000 + 20000 * i for i in range(10)]
        results = {
            "shared": phase([url], args.clients, args.requests, lambda c, r: reform(amounts[r % 10], 65), deadline),
            "own": phase([url], args.clients, args.requests,
                         lambda c, r: reform(50000 + 1000 * c + 37 * r, 60 + (c + r) % 11), deadline),
            "trainees": phase([url, tables], args.clients, args.requests,
                              lambda c, r: reform(51000 + 1000 * c + 41 * r, 60 + (c + 2 * r) % 11), deadline, args.think),
        }
    finally:
        server.terminate()
        server.wait(timeout=30)
    for name, r in results.items():
        print(f"{name:<8} {r['answered']:>5} answered, {r['errors']} errors; median {r['median_ms']} ms, "
              f"95th percentile {r['p95_ms']} ms, slowest {r['max_ms']} ms; {r['requests_per_s']} requests/s")
    print(json.dumps({"clients": args.clients, "requests_per_client": args.requests, "think_s": args.think, **results},
                     indent=1))


if __name__ == "__main__":
    main()
