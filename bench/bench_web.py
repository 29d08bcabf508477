"""The web interface under load: ``vanban serve`` started as a user starts it (the
venv's command, its own process, on a free loopback port) on a large archive,
then C clients in threads, each on its own keep-alive connection, looping for a
fixed time over the pages people open:

- search pages typed as people type them: a title's first words with their
  diacritics (``kế hoạch phòng chống``) and without (``ke hoach phong chong``),
  a symbol as printed (``308/QĐ-UBND``, from the archive), a search narrowed to
  a year (``&year=2020``), the second page of a short search (``&page=2``);
- document pages (``/doc?path=...``) of hits that the client's own searches
  found (the hit links of its last search page, as a person clicks them);
- cites pages (``/cites?symbol=...``) of symbols that documents of the archive
  cite.

Measured per page kind and overall: requests, p50/p95/p99 in ms (from sending
the request to the last byte of the body read), errors (any answer but 200, or
a failed connection), search pages without a hit; the server's peak RSS (VmHWM)
and its RSS after start and at the end, and its PSS (the index's files are
mapped once per pooled archive and count in RSS each time); the server's CPU
per page; the machine (CPU model, cores) and how busy other processes kept its
cores meanwhile (a run beside other work is not comparable). The clients share
the machine's cores with the server (loopback only). ``--workers`` and
``--server-threads`` are passed to ``vanban serve`` (its worker processes are
counted with it); ``--servers 2`` starts two servers and spreads the clients
over them, as a proxy balancing them would. The floor: p95 page time <= 300 ms
with 8 concurrent clients.

The page cache: ``cat DIR/*`` warms the segments only. Snippets and document
pages read the cache of parsed records (``DIR/records``, one small file a
document), read from the disk as pages first need them: the JSON line says how
much the server read from the disk and how many cores waited on it, so a run
held up by the disk shows as one.

Queries come from 6,000 documents of the archive picked at random (seed 11): the
timed run's from half of them, the warm-up's (untimed, ``--warmup`` seconds, all
clients) from the other half, so the timed searches are not the warm-up's own.

    python bench/bench_index.py --docs 100000 --out /tmp/b2      # the archive
    cat /tmp/b2/index/* > /dev/null                              # the page cache warm
    python bench/bench_web.py --index /tmp/b2/index --clients 8 --seconds 60 [--workers 2] [--server-threads 4]

Prints a Markdown table (for the README) and one JSON line. Ctrl-C stops the
clients and the server.
"""
from __future__ import annotations

import argparse
import html
import http.client
import json
import os
import pathlib
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from urllib.parse import urlencode

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from vbpl_queries import as_typed  # noqa: E402

FLOOR_P95_MS = 300
# Page kinds and how often a client opens each (of 100 pages).
MIX = {"search": 12, "search folded": 12, "search symbol": 10, "search year": 8, "search page 2": 8,
       "doc": 32, "cites": 18}
SEARCH_KINDS = [k for k in MIX if k.startswith("search")]
HIT_LINK = re.compile(r'<a class="doc" href="([^"]+)"')
READY_S = 180  # seconds the server may take to answer its first page


# --- the archive's queries ---------------------------------------------------------------

def sample_records(index: str, count: int, seed: int) -> list[dict]:
    """``count`` records of the archive picked at random (read as the other bench
    scripts read them: stored fields of a Whoosh folder, else any backend's records)."""
    rnd = random.Random(seed)
    if os.path.isdir(index):
        from index.whoosh.store import WhooshStore
        with WhooshStore(index).searcher() as searcher:
            total = searcher.doc_count_all()
            return [json.loads(searcher.stored_fields(d)["record"])
                    for d in sorted(rnd.sample(range(total), min(count, total)))]
    sys.path.insert(0, str(ROOT / "bench"))
    from bench_query_forms import sample_records as reservoir
    from index.backends import open_archive
    return reservoir(open_archive(index), count, seed)


def first_words(text: str, rnd: random.Random, low: int, high: int) -> str:
    words = re.sub(r"[^\w/-]+", " ", text).split()
    return " ".join(words[:rnd.randint(low, high)]).lower()


def url_sets(records: list[dict], n: int, seed: int) -> dict[str, list[str]]:
    """``n`` URLs of each page kind but ``doc`` (those come from the hits)."""
    rnd = random.Random(seed)
    titles = [r for r in records if r.get("title") and len(r["title"].split()) >= 3]
    symbols = [r["symbol"] for r in records if r.get("symbol") and "/" in r["symbol"]]
    cited = [c["symbol"] for r in records for c in r.get("citations") or [] if c.get("symbol")]

    def search(**params) -> str:
        return "/search?" + urlencode({k: v for k, v in params.items() if v is not None})

    def typed_symbol(symbol: str) -> str:  # as printed, or lower case as quickly typed
        return symbol if rnd.random() < 0.7 else symbol.lower()

    def year_search() -> str:
        record = rnd.choice(titles)
        words = first_words(record["title"], rnd, 2, 3)
        return search(q=words if rnd.random() < 0.5 else as_typed(words), year=(record.get("date") or "2020")[:4])

    return {
        "search": [search(q=first_words(rnd.choice(titles)["title"], rnd, 2, 5)) for _ in range(n)],
        "search folded": [search(q=as_typed(first_words(rnd.choice(titles)["title"], rnd, 2, 5))) for _ in range(n)],
        "search symbol": [search(q=typed_symbol(rnd.choice(symbols))) for _ in range(n)],
        "search year": [year_search() for _ in range(n)],
        "search page 2": [search(q=as_typed(first_words(rnd.choice(titles)["title"], rnd, 1, 2)), page=2)
                          for _ in range(n)],
        "cites": ["/cites?" + urlencode({"symbol": rnd.choice(cited)}) for _ in range(n)],
    }


# --- the servers ---------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """``vanban serve`` as a user runs it, in its own session (a Ctrl-C here reaches
    this script, which then stops the server itself as Ctrl-C stops it)."""

    def __init__(self, index: str, threads: int, workers: int | None = None) -> None:
        self.port = free_port()
        self.log = tempfile.NamedTemporaryFile("w+", prefix="bench_web_server_", suffix=".log", delete=False)
        command = pathlib.Path(sys.prefix) / "bin" / "vanban"
        if not command.exists():
            command = ROOT / ".venv" / "bin" / "vanban"
        self.process = subprocess.Popen(
            [str(command), "serve", "--index", index, "--host", "127.0.0.1", "--port", str(self.port),
             "--threads", str(threads)] + (["--workers", str(workers)] if workers else []),
            stdout=self.log, stderr=self.log, stdin=subprocess.DEVNULL, start_new_session=True)
        self.pid = self.process.pid
        self.workers: list[int] = []  # the processes it forked, once it answers

    def said(self) -> str:
        return pathlib.Path(self.log.name).read_text()

    def wait_ready(self) -> float:
        started = time.monotonic()
        while time.monotonic() - started < READY_S:
            if self.process.poll() is not None:
                sys.exit(f"the server stopped (exit {self.process.returncode}):\n{self.said()}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", "/")
                if conn.getresponse().status == 200:
                    conn.close()
                    return time.monotonic() - started
            except OSError:
                pass
            time.sleep(0.2)
        sys.exit(f"the server did not answer within {READY_S} s:\n{self.said()}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)  # as Ctrl-C: waitress stops, the archives are closed
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        for pid in self.workers:  # a worker its server left behind (in the session this script started)
            try:
                with open(f"/proc/{pid}/stat") as stat:
                    fields = stat.read().rpartition(")")[2].split()
                if int(fields[3]) == self.pid and fields[0] != "Z":  # its session, still running
                    os.kill(pid, signal.SIGTERM)
                    print(f"server {self.pid} left its worker {pid} running: stopped it", file=sys.stderr)
            except (OSError, ValueError, IndexError):
                pass
        self.log.close()
        if os.path.exists(self.log.name):
            os.unlink(self.log.name)


def with_workers(pids: list[int]) -> list[int]:
    """The servers and the worker processes each forked (``vanban serve`` runs one
    per core): memory and CPU are theirs added up."""
    found = list(pids)
    for pid in pids:
        try:
            with open(f"/proc/{pid}/task/{pid}/children") as children:
                found += [int(child) for child in children.read().split()]
        except OSError:
            pass
    return found


def cpu_seconds(pids: list[int]) -> dict:
    """User and system CPU seconds these processes have used (/proc/<pid>/stat)."""
    used = {"user": 0.0, "system": 0.0}
    tick = os.sysconf("SC_CLK_TCK")
    for pid in pids:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rpartition(")")[2].split()
        used["user"] += int(fields[11]) / tick
        used["system"] += int(fields[12]) / tick
    return used


def machine_times() -> dict:
    """CPU seconds every process of the machine has used, and seconds the cores
    waited on the disk (/proc/stat): how busy other work kept them during the run."""
    with open("/proc/stat") as stat:
        values = [int(v) for v in stat.readline().split()[1:]]
    tick = os.sysconf("SC_CLK_TCK")
    return {"busy": (sum(values[:8]) - values[3] - values[4]) / tick, "iowait": values[4] / tick}


def disk_read_mb(pids: list[int]) -> float:
    """What these processes have read from the disk itself (not the page cache)."""
    read = 0
    for pid in pids:
        with open(f"/proc/{pid}/io") as io:
            read += next(int(line.split()[1]) for line in io if line.startswith("read_bytes:"))
    return read / 2**20


def memory_mb(pids: list[int], pss: bool = False) -> dict:
    """VmHWM (peak RSS), VmRSS, RssAnon and RssFile of these processes added up, in
    MB; with ``pss``, their PSS too (/proc/<pid>/smaps_rollup): a file mapped twice
    counts twice in RSS, once in PSS."""
    found: dict[str, int] = {}
    for pid in pids:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                name, _, value = line.partition(":")
                if name in ("VmHWM", "VmRSS", "RssAnon", "RssFile"):
                    found[name] = found.get(name, 0) + int(value.split()[0])
        if pss:
            with open(f"/proc/{pid}/smaps_rollup") as rollup:
                for line in rollup:
                    name, _, value = line.partition(":")
                    if name in ("Pss", "Pss_Anon", "Pss_File"):
                        found[name] = found.get(name, 0) + int(value.split()[0])
    return {name: round(kb / 1024) for name, kb in found.items()}


class MemoryWatch(threading.Thread):
    """The servers' RSS every second, their PSS every 5: the peak PSS, and the growth
    under load in a timeline."""

    def __init__(self, pids: list[int]) -> None:
        super().__init__(daemon=True)
        self.pids, self.samples, self.done = pids, [], threading.Event()
        self.started = time.monotonic()

    def run(self) -> None:
        pss, tick = 0, 0
        while not self.done.wait(1.0):
            try:  # PSS walks the page tables: every 5 s, not to weigh on the servers
                now = memory_mb(self.pids, pss=tick % 5 == 0)
            except (OSError, KeyError):
                return
            pss, tick = now.get("Pss", pss), tick + 1
            self.samples.append((time.monotonic() - self.started, now["VmRSS"], pss))

    def peak_pss(self) -> int:
        return max((pss for _, _, pss in self.samples), default=0)

    def timeline(self, every: float = 10) -> list[list]:
        """[seconds since start, RSS MB, PSS MB] every ``every`` seconds."""
        shown, next_at = [], 0.0
        for at, rss, pss in self.samples:
            if at >= next_at:
                shown.append([round(at), rss, pss])
                next_at = at + every
        return shown


def machine() -> dict:
    models, cores = [], 0
    with open("/proc/cpuinfo") as info:
        for line in info:
            name, _, value = line.partition(":")
            if name.strip() == "processor":
                cores += 1
            elif name.strip() == "model name":
                models.append(value.strip())
    memory = 0
    with open("/proc/meminfo") as info:
        for line in info:
            if line.startswith("MemTotal:"):
                memory = round(int(line.split()[1]) / 2**20)
    return {"cpu": models[0] if models else "unknown", "cores": cores,
            "usable_cores": len(os.sched_getaffinity(0)), "memory_gb": memory}


# --- the clients ------------------------------------------------------------------------------

class Client(threading.Thread):
    """One person at a browser: one keep-alive connection, pages one after another."""

    def __init__(self, port: int, urls: dict[str, list[str]], shared_hits: list[str], seed: int,
                 until: float, stop: threading.Event) -> None:
        super().__init__(daemon=True)
        self.port, self.urls, self.shared_hits, self.until, self.stop = port, urls, shared_hits, until, stop
        self.rnd = random.Random(seed)
        self.times: dict[str, list[float]] = {kind: [] for kind in MIX}
        self.errors: dict[str, int] = {kind: 0 for kind in MIX}
        self.no_hits: dict[str, int] = {kind: 0 for kind in SEARCH_KINDS}
        self.hits: list[str] = []  # the hit links of this client's last search page with hits
        self.found: list[str] = []  # every hit link it saw (for the next phase's clients)
        self.conn = None

    def _get(self, url: str) -> tuple[int, bytes]:
        for attempt in (1, 2):  # a keep-alive connection the server closed is opened again once
            try:
                if self.conn is None:
                    self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
                self.conn.request("GET", url, headers={"Accept-Encoding": "identity"})
                response = self.conn.getresponse()
                body = response.read()
                if response.will_close:
                    self.conn.close()
                    self.conn = None
                return response.status, body
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                self.conn.close()
                self.conn = None
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def _url(self, kind: str) -> str:
        if kind == "doc":
            pool = self.hits[:5] or self.shared_hits  # a person opens one of the first hits
            return self.rnd.choice(pool)
        return self.rnd.choice(self.urls[kind])

    def run(self) -> None:
        kinds, weights = list(MIX), list(MIX.values())
        while time.monotonic() < self.until and not self.stop.is_set():
            kind = self.rnd.choices(kinds, weights)[0]
            if kind == "doc" and not (self.hits or self.shared_hits):
                kind = "search"
            url = self._url(kind)
            started = time.perf_counter()
            try:
                status, body = self._get(url)
            except (OSError, http.client.HTTPException):  # refused, reset, cut short: an error, a new connection
                status, body = 0, b""
                if self.conn is not None:
                    self.conn.close()
                    self.conn = None
            elapsed = (time.perf_counter() - started) * 1000
            self.times[kind].append(elapsed)
            if status != 200:
                self.errors[kind] += 1
                continue
            if kind in SEARCH_KINDS:
                links = [html.unescape(link) for link in HIT_LINK.findall(body.decode("utf-8", "replace"))]
                if links:
                    self.hits = links
                    self.found += links[:5]
                else:
                    self.no_hits[kind] += 1
        if self.conn is not None:
            self.conn.close()


def run_clients(ports: list[int], urls: dict, shared_hits: list[str], clients: int, seconds: float, seed: int,
                stop: threading.Event) -> tuple[list[Client], float]:
    """The clients, spread over the servers' ports in turn, until ``seconds`` have passed."""
    until = time.monotonic() + seconds
    started = time.monotonic()
    team = [Client(ports[i % len(ports)], urls, shared_hits, seed * 1000 + i, until, stop) for i in range(clients)]
    for client in team:
        client.start()
    for client in team:
        while client.is_alive():
            client.join(0.5)  # wakes for Ctrl-C
    return team, time.monotonic() - started


# --- the figures -------------------------------------------------------------------------------

def percentile(times: list[float], p: float) -> float:
    return round(times[int(p * (len(times) - 1))], 1) if times else 0.0


def summary(times: list[float], errors: int, no_hits: int | None = None) -> dict:
    times = sorted(times)
    row = {"requests": len(times), "p50_ms": percentile(times, 0.50), "p95_ms": percentile(times, 0.95),
           "p99_ms": percentile(times, 0.99), "max_ms": round(times[-1], 1) if times else 0.0, "errors": errors}
    if no_hits is not None:
        row["no_hits"] = no_hits
    return row


def figures(team: list[Client]) -> dict:
    pages = {}
    for kind in MIX:
        pages[kind] = summary([t for c in team for t in c.times[kind]], sum(c.errors[kind] for c in team),
                              sum(c.no_hits[kind] for c in team) if kind in SEARCH_KINDS else None)
    pages["all searches"] = summary([t for c in team for k in SEARCH_KINDS for t in c.times[k]],
                                    sum(c.errors[k] for c in team for k in SEARCH_KINDS),
                                    sum(c.no_hits[k] for c in team for k in SEARCH_KINDS))
    pages["all pages"] = summary([t for c in team for k in MIX for t in c.times[k]],
                                 sum(c.errors[k] for c in team for k in MIX))
    return pages


def markdown(run: dict) -> str:
    m = run["machine"]
    servers = f"{run['servers']} × " if run["servers"] > 1 else ""
    lines = [f"{servers}`vanban serve --workers {run['server_workers']} --threads {run['server_threads']}` on "
             f"{run['documents']:,} documents (Whoosh), "
             f"{run['clients']} clients for {run['seconds']} s on {m['cores']} cores ({m['cpu']}), "
             f"{run['pages_per_s']} pages/s:", "",
             "| page | requests | p50 ms | p95 ms | p99 ms | max ms | errors |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for kind, row in run["pages"].items():
        name = f"**{kind}**" if kind.startswith("all") else kind
        lines.append(f"| {name} | {row['requests']:,} | {row['p50_ms']} | {row['p95_ms']} | {row['p99_ms']} "
                     f"| {row['max_ms']} | {row['errors']} |")
    mem = run["server_memory_mb"]
    verdict = "meets" if run["meets_floor"] else "misses"
    lines += ["", f"Server memory: peak RSS (VmHWM) {mem['peak_rss']} MB, RSS at the end {mem['rss_at_end']} MB "
                  f"({mem['rss_after_start']} MB after start, {mem['rss_after_warmup']} MB after the warm-up); "
                  f"the index's files are mapped once per pooled archive and count in RSS each time: "
                  f"PSS at its peak {mem['peak_pss']} MB, at the end {mem['pss_at_end']} MB "
                  f"({mem['pss_anonymous_at_end']} MB the server's own, {mem['pss_file_at_end']} MB files). "
                  f"Server CPU: {run['server_cpu_ms_per_page']} ms a page, {run['server_cores_busy']} cores busy "
                  f"(other processes: {run['other_processes_cores_busy']} cores); it read "
                  f"{run['server_disk_read_mb']} MB from the disk (not the page cache), cores waiting on the disk: "
                  f"{run['cores_waiting_on_disk']}. "
                  f"p95 of all pages {run['pages']['all pages']['p95_ms']} ms: {verdict} the {FLOOR_P95_MS} ms floor."]
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--index", default="/tmp/b2/index", help="the archive (a Whoosh folder bench_index.py built)")
    ap.add_argument("--clients", type=int, default=8, help="concurrent clients, each a thread and a connection")
    ap.add_argument("--seconds", type=float, default=60, help="how long the clients load the server")
    ap.add_argument("--warmup", type=float, default=15, help="untimed seconds of the same load first")
    ap.add_argument("--server-threads", type=int, default=4, help="vanban serve --threads (its default: 4)")
    ap.add_argument("--workers", type=int, default=None,
                    help="vanban serve --workers (default: the server's own, one process per core)")
    ap.add_argument("--servers", type=int, default=1,
                    help="vanban serve commands, each on its own port, the clients spread over them in turn "
                         "(as a proxy balancing several servers would)")
    ap.add_argument("--urls", type=int, default=500, help="distinct URLs of each page kind")
    ap.add_argument("--seed", type=int, default=11)
    args = ap.parse_args()

    print(f"sampling queries from {args.index} ...", file=sys.stderr, flush=True)
    records = sample_records(args.index, 6000, args.seed)
    timed_urls = url_sets(records[0::2], args.urls, args.seed)
    warm_urls = url_sets(records[1::2], args.urls, args.seed + 1)
    del records

    stop = threading.Event()
    servers: list[Server] = []
    try:
        servers = [Server(args.index, args.server_threads, args.workers) for _ in range(args.servers)]
        ready_s = max(server.wait_ready() for server in servers)
        for server in servers:
            server.workers = with_workers([server.pid])[1:]
        pids, ports = with_workers([s.pid for s in servers]), [s.port for s in servers]
        from index.backends import open_archive
        documents = open_archive(args.index).count()
        after_start = memory_mb(pids)["VmRSS"]
        watch = MemoryWatch(pids)
        watch.start()
        print(f"server pid {' '.join(map(str, pids))} on port {' '.join(map(str, ports))} answered after "
              f"{ready_s:.1f} s; warming up {args.warmup:.0f} s ...", file=sys.stderr, flush=True)
        warm, _ = run_clients(ports, warm_urls, [], args.clients, args.warmup, args.seed + 1, stop)
        shared_hits = sorted({link for c in warm for link in c.found})
        after_warmup = memory_mb(pids)["VmRSS"]
        print(f"running {args.clients} clients for {args.seconds:.0f} s ...", file=sys.stderr, flush=True)
        cpu_before, client_before, machine_before = cpu_seconds(pids), os.times(), machine_times()
        read_before = disk_read_mb(pids)
        team, took = run_clients(ports, timed_urls, shared_hits, args.clients, args.seconds, args.seed, stop)
        cpu_after, client_after, machine_after = cpu_seconds(pids), os.times(), machine_times()
        read_mb = disk_read_mb(pids) - read_before
        memory = memory_mb(pids, pss=True)
        watch.done.set()
    except KeyboardInterrupt:
        stop.set()
        print("stopped", file=sys.stderr)
        raise SystemExit(130)
    finally:
        stop.set()
        for server in servers:
            server.stop()

    pages = figures(team)
    server_cpu = {k: round(cpu_after[k] - cpu_before[k], 1) for k in cpu_before}
    served = pages["all pages"]["requests"]
    clients_cpu = client_after.user + client_after.system - client_before.user - client_before.system
    others = max(0.0, machine_after["busy"] - machine_before["busy"] - sum(server_cpu.values()) - clients_cpu)
    result = {"bench": "web", "documents": documents, "clients": args.clients, "servers": args.servers,
              "server_workers": max(1, (len(pids) - len(servers)) // len(servers)),
              "server_threads": args.server_threads, "seconds": round(took, 1),
              "pages_per_s": round(served / took, 1), "pages": pages,
              "server_cpu_s": server_cpu,
              "server_cpu_ms_per_page": round(1000 * sum(server_cpu.values()) / max(served, 1), 1),
              "server_cores_busy": round(sum(server_cpu.values()) / took, 2),
              "clients_cpu_s": round(clients_cpu, 1),
              "other_processes_cores_busy": round(others / took, 2),
              "cores_waiting_on_disk": round((machine_after["iowait"] - machine_before["iowait"]) / took, 2),
              "server_disk_read_mb": round(read_mb, 1),
              "server_memory_mb": {"peak_rss": memory["VmHWM"], "rss_at_end": memory["VmRSS"],
                                   "rss_after_start": after_start, "rss_after_warmup": after_warmup,
                                   "peak_pss": max(watch.peak_pss(), memory["Pss"]), "pss_at_end": memory["Pss"],
                                   "pss_anonymous_at_end": memory["Pss_Anon"], "pss_file_at_end": memory["Pss_File"],
                                   "every_10_s_rss_pss": watch.timeline()},
              "server_ready_s": round(ready_s, 1), "floor_p95_ms": FLOOR_P95_MS,
              "meets_floor": pages["all pages"]["p95_ms"] <= FLOOR_P95_MS, "machine": machine()}
    print(markdown(result))
    print(json.dumps(result, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
