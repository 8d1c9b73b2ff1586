#!/usr/bin/env python3
"""`mimeo serve` against issue 5's goals: latency, density and memory per idle clone.

Starts a daemon of its own (temporary socket and state directory), makes a
template of the test guest (64 MiB) and measures:
  1. latency: from sending POST /clones (count 1) to reading `pong` after
     connecting to the clone's console socket and writing `ping`; requests one
     at a time with the pool refilled in between (steady state), and bursts
     one after another and all at once, from a full pool (does it run dry?);
     also the daemon's own create_ms;
  2. density: N idle clones alive at once (POST /clones in batches, from a few
     connections at once), then a
     `ping` to every one; time, load average, the daemon's RSS and fds;
  3. memory: per idle clone from /proc/PID/smaps, private memory minus the
     pages the guest wrote (anonymous pages in the template's RAM mapping),
     and the daemon's own.
Writes daemon.md and daemon.json, and gnuplot PNGs. Python 3 standard library
only. See docs/benchmarks.md, "Daemon".
"""

import argparse
import json
import os
import re
import shutil
import signal
import sys
import tempfile
import threading
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
from benchlib import console_ping, machine, smaps, stats  # noqa: E402
from benchlib import daemon_report as report  # noqa: E402
from benchlib.daemon_client import ApiError, Client, Daemon, is_worker_of, process_facts  # noqa: E402
from benchlib.progress import Status  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TEMPLATE = "guest"
QUICK = {"requests": 20, "burst": 8, "burst_rounds": 1, "clones": 20, "batch": 10}
FULL = {"requests": 200, "burst": 20, "burst_rounds": 3, "clones": 1000, "batch": 50}


def parse_args():
    build = os.path.join(REPO, "build")
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a small run (CI smoke check): "
                        + ", ".join(f"{k}={v}" for k, v in QUICK.items()))
    parser.add_argument("--requests", type=int, help="steady-state requests (default 200)")
    parser.add_argument("--burst", type=int, help="requests per burst (default 20)")
    parser.add_argument("--burst-rounds", type=int, help="bursts (default 3)")
    parser.add_argument("--clones", type=int, help="idle clones alive at once (default 1000)")
    parser.add_argument("--batch", type=int, help="clones per POST /clones for density "
                        "(default 50)")
    parser.add_argument("--parallel", type=int, default=4, help="connections posting the "
                        "density batches at once (default 4)")
    parser.add_argument("--pool-size", type=int, default=4, help="warm clones the template "
                        "keeps (default 4)")
    parser.add_argument("--memory", default="64M", help="the guest's memory (default 64M)")
    parser.add_argument("--gap", type=float, default=0.05, help="seconds between a full pool "
                        "and the next steady-state request (default 0.05)")
    parser.add_argument("--settle", type=float, default=2.0, help="seconds the idle clones "
                        "sit before ping and memory samples (default 2)")
    parser.add_argument("--mimeo", default=os.path.join(build, "mimeo"))
    parser.add_argument("--guest", default=os.path.join(build, "guest", "guest.elf"))
    parser.add_argument("--work-dir", default=None, help="where the daemon's socket and state "
                        "go (default: a new directory in the system's temporary directory)")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds one clone's "
                        "`pong` may take")
    parser.add_argument("--out-dir", default=os.path.join(REPO, "bench", "results"))
    parser.add_argument("--img-dir", default=os.path.join(REPO, "docs", "img"))
    parser.add_argument("--templating-json", default=os.path.join(REPO, "bench", "results",
                                                                  "templating.json"),
                        help="bench/templating.py's results, quoted for the path without "
                        "the daemon (left out if missing)")
    parser.add_argument("--no-plot", action="store_true")
    parser.add_argument("--gnuplot", default="gnuplot")
    parser.add_argument("--docs", default=None, metavar="FILE", help="also replace the "
                        "<!-- daemon-results:begin/end --> block of FILE")
    parser.add_argument("--from-json", metavar="FILE", help="run nothing: redraw from a JSON")
    args = parser.parse_args()
    defaults = QUICK if args.quick else FULL
    for key, value in defaults.items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    return args


def ms(ns):
    return ns / 1e6


def wait_pool_full(client, pool_size, timeout_s):
    """Polls the template until its pool holds pool_size warm clones; seconds waited."""
    start = time.monotonic()
    while client.get(f"/templates/{TEMPLATE}")["pool_warm"] < pool_size:
        if time.monotonic() - start > timeout_s:
            raise ApiError(f"the pool did not refill to {pool_size} within {timeout_s:g} s")
        time.sleep(0.005)
    return time.monotonic() - start


CONSOLE_SOCKET = re.compile(rb'"console_socket":"((?:[^"\\]|\\.)*)"')
CREATE_ONE = Client.encode("POST", "/clones", {"template": TEMPLATE, "count": 1})


def one_clone(client, timeout_s):
    """POST /clones count 1, connect to its console, ping: the timed path.

    Between the request and the `pong` the benchmark does only what a client
    must: the request's bytes and the console's socket are made beforehand,
    the console's path is taken from the answer's bytes, and the JSON is
    parsed after the `pong`.
    Returns (clone JSON, figures in ms since just before the request was sent).
    """
    console = console_ping.new_socket(timeout_s)
    t0 = time.perf_counter_ns()
    answer = client.exchange("POST", CREATE_ONE)
    answered = time.perf_counter_ns()
    found = CONSOLE_SOCKET.search(answer[2])
    ping = None
    if found and answer[0] == 201:
        raw = found.group(1)
        path = json.loads(b'"' + raw + b'"') if b"\\" in raw else raw.decode()
        ping = console_ping.ping(path, timeout_s, again=True, sock=console)
    else:
        console.close()
    _, body = Client.parse("POST", "/clones", answer, expect=(201,))
    if not body.get("clones") or ping is None:
        raise ApiError(f"POST /clones gave no clone: {body}")
    clone = body["clones"][0]
    return clone, {"total_ms": ms(ping["pong"] - t0), "answer_ms": ms(answered - t0),
                   "connect_ms": ms(ping["connected"] - answered),
                   "ping_ms": ms(ping["pong"] - ping["connected"]),
                   "again_ms": ms(ping["again_pong"] - ping["again_sent"]),
                   "create_ms": clone["create_ms"], "from_pool": clone["from_pool"]}


def health_ms(client):
    """One GET /health round trip: the HTTP floor of a request on this machine."""
    t0 = time.perf_counter_ns()
    client.get("/health")
    return ms(time.perf_counter_ns() - t0)


def scenario_steady(client, args, status):
    runs = []
    for index in range(args.requests):
        waited = wait_pool_full(client, args.pool_size, args.timeout)
        time.sleep(args.gap)
        health = health_ms(client)
        time.sleep(args.gap)
        clone, figures = one_clone(client, args.timeout)
        figures["refill_wait_ms"] = waited * 1000
        figures["health_ms"] = health
        runs.append(figures)
        client.delete(f"/clones/{clone['id']}")
        totals = sorted(r["total_ms"] for r in runs)
        status.show(f"[1/3] latency, pool refilled: {index + 1}/{args.requests}, request to "
                    f"pong p50 {stats.nearest_rank(totals, 50):.2f} ms, "
                    f"{sum(r['from_pool'] for r in runs)} from the pool",
                    final=index + 1 == args.requests)
    return runs


def sequential_burst(client, args, made, runs, label):
    for index in range(args.burst):
        clone, figures = one_clone(client, args.timeout)
        made.append(clone["id"])
        runs.append(figures)
        yield f"{label}: {index + 1}/{args.burst}"


def concurrent_burst(client, args, made, runs, label):
    """args.burst threads, one connection each, released at once; runs in answer order."""
    clients = [Client(client.path) for _ in range(args.burst)]
    for each in clients:
        each.get("/health")  # connected before the burst
    barrier = threading.Barrier(args.burst)
    lock = threading.Lock()
    errors = []

    def request(each):
        barrier.wait()
        try:
            clone, figures = one_clone(each, args.timeout)
        except (ApiError, OSError, console_ping.PingError) as error:
            errors.append(str(error))
            return
        with lock:
            made.append(clone["id"])
            figures["done_ns"] = time.perf_counter_ns()
            runs.append(figures)

    threads = [threading.Thread(target=request, args=(each,)) for each in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for each in clients:
        each.close()
    runs.sort(key=lambda r: r.pop("done_ns"))
    if errors:
        raise ApiError(f"{len(errors)} of {args.burst} concurrent requests failed: {errors[0]}")
    yield f"{label}: {len(runs)}/{args.burst}"


def scenario_burst(client, args, status, mode):
    """Bursts of args.burst requests from a full pool: `sequential` (back to back on one
    connection, each after the previous clone's pong) or `concurrent` (all at once)."""
    rounds = []
    burst = sequential_burst if mode == "sequential" else concurrent_burst
    for round_index in range(args.burst_rounds):
        wait_pool_full(client, args.pool_size, args.timeout)
        time.sleep(0.5)
        made, runs = [], []
        label = f"[1/3] latency, {mode} burst {round_index + 1}/{args.burst_rounds}"
        try:
            for line in burst(client, args, made, runs, label):
                status.show(line)
        finally:
            for clone_id in made:
                client.delete(f"/clones/{clone_id}")
        rounds.append(runs)
        hits = [r["total_ms"] for r in runs if r["from_pool"]]
        misses = [r["total_ms"] for r in runs if not r["from_pool"]]
        status.show(f"{label}: {len(hits)} from the pool (p50 "
                    f"{stats.nearest_rank(sorted(hits), 50) or 0:.2f} ms), {len(misses)} started "
                    f"on request (p50 {stats.nearest_rank(sorted(misses), 50) or 0:.2f} ms)",
                    final=True)
    return rounds


def load_average():
    return [round(x, 2) for x in os.getloadavg()]


def daemon_snapshot(daemon, template_dir):
    facts = process_facts(daemon.pid)
    own = smaps.split_guest(daemon.pid, template_dir) or {}
    facts.update({"private_kib": own.get("private"), "pss_kib": own.get("pss")})
    return facts


def delete_all(socket_path, clone_ids, status, threads=4):
    """DELETE every clone over `threads` connections; seconds taken."""
    queue = list(clone_ids)
    lock = threading.Lock()
    errors = []
    done = [0]

    def work():
        client = Client(socket_path)
        while True:
            with lock:
                if not queue:
                    break
                clone_id = queue.pop()
            try:
                client.delete(f"/clones/{clone_id}")
            except (ApiError, OSError) as error:
                errors.append(str(error))
            with lock:
                done[0] += 1
                status.show(f"[3/3] deleting clones: {done[0]}/{len(clone_ids)}")
        client.close()

    start = time.monotonic()
    workers = [threading.Thread(target=work) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    seconds = time.monotonic() - start
    status.show(f"[3/3] deleted {len(clone_ids) - len(errors)} clones in {seconds:.1f} s",
                final=True)
    return seconds, errors


def _cpu_seconds(pid):
    """(utime + stime in seconds, when read) of a process, None if it is gone."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            fields = stat.read().rpartition(")")[2].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK"), time.monotonic()


def idle_cpu(pids, seconds):
    """CPU the idle clones' processes used, as % of one CPU: each process's CPU time
    over its own interval between two reads at least `seconds` apart (reading a
    thousand /proc files on a loaded machine takes seconds itself)."""
    before = {pid: _cpu_seconds(pid) for pid in pids}
    time.sleep(seconds)
    shares = []
    for pid in pids:
        after = _cpu_seconds(pid)
        if before[pid] is not None and after is not None and after[1] > before[pid][1]:
            shares.append((after[0] - before[pid][0]) / (after[1] - before[pid][1]))
    total = 100 * sum(shares)
    return {"per_pid": True, "seconds": seconds, "clones": len(shares),
            "total_percent_of_one_cpu": total,
            "per_clone_percent_of_one_cpu": total / max(len(shares), 1)}


def scenario_density(client, daemon, args, status, template_dir, alive):
    """Makes args.clones clones (kept in `alive`), pings them, samples memory."""
    result = {"requested": args.clones, "batch": args.batch, "batches": [], "errors": []}
    result["meminfo_before_kib"] = smaps.meminfo_kib()
    result["daemon_before"] = daemon_snapshot(daemon, template_dir)
    result["load_average_before"] = load_average()
    result["slab_before_kib"] = smaps.slab_kib()
    clones = []
    lock = threading.Lock()
    left = [args.clones]
    retry_budget = max(10, args.clones // 20)
    failures = []
    t0 = time.monotonic()

    def make_batches():
        """One connection's share: batches of args.batch until the total is asked for."""
        own = Client(client.path)
        try:
            while True:
                with lock:
                    if failures or left[0] == 0:
                        return
                    count = min(args.batch, left[0])
                    left[0] -= count
                started = time.monotonic()
                _, body = own.post("/clones", {"template": TEMPLATE, "count": count})
                ended = time.monotonic()
                made = body.get("clones", [])
                with lock:
                    # A clone that failed is asked for again in a later batch, up to a budget.
                    errors = [e.get("error", e) for e in body.get("errors", [])]
                    retry = min(len(errors), max(retry_budget - len(result["errors"]), 0))
                    left[0] += retry
                    clones.extend(made)
                    alive.extend((c["id"], c["pid"]) for c in made)
                    result["errors"] += errors
                    result["batches"].append({
                        "count": count, "made": len(made), "seconds": ended - started,
                        "since_start_s": ended - t0, "alive": len(clones),
                        "from_pool": sum(c["from_pool"] for c in made),
                        "create_ms": [c["create_ms"] for c in made],
                        "load_average": load_average()})
                    status.show(f"[2/3] density: {len(clones)}/{args.clones} clones alive after "
                                f"{ended - t0:.1f} s, load average {os.getloadavg()[0]:.0f}")
                if not made and not retry:
                    raise ApiError(f"POST /clones made none of {count}: {body}")
        except (ApiError, OSError) as error:
            with lock:
                failures.append(error)
        finally:
            own.close()

    threads = [threading.Thread(target=make_batches) for _ in range(args.parallel)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise ApiError(f"density: {failures[0]}")
    result["batches"].sort(key=lambda b: b["since_start_s"])
    result["create_all_s"] = time.monotonic() - t0
    result["alive"] = len(clones)
    result["load_average_created"] = load_average()
    status.show(f"[2/3] density: {len(clones)} clones alive after {result['create_all_s']:.1f} s"
                f" ({len(result['errors'])} failed), load average {os.getloadavg()[0]:.0f}",
                final=True)
    time.sleep(args.settle)
    pings = console_ping.ping_all(
        [c["console_socket"] for c in clones], args.timeout + len(clones) * 0.3,
        on_progress=lambda n, total: status.show(f"[2/3] density: {n}/{total} answered ping"))
    result["ping_ms"] = [p["ms"] for p in pings if "ms" in p]
    result["ping_errors"] = [p["error"] for p in pings if "error" in p]
    result["answered"] = len(result["ping_ms"])
    result["load_average_pinged"] = load_average()
    result["idle_cpu"] = idle_cpu([c["pid"] for c in clones], 5.0)
    status.show(f"[2/3] density: {result['answered']} of {len(clones)} clones answered ping, "
                f"load average {os.getloadavg()[0]:.0f}", final=True)
    time.sleep(args.settle)
    samples = []
    for index, clone in enumerate(clones):
        sample = smaps.split_guest(clone["pid"], template_dir)
        if sample is not None:
            sample["pid"] = clone["pid"]
            samples.append(sample)
        status.show(f"[3/3] memory: {index + 1}/{len(clones)} clones sampled")
    result["daemon_after"] = daemon_snapshot(daemon, template_dir)
    result["meminfo_after_kib"] = smaps.meminfo_kib()
    slab_after = smaps.slab_kib()
    before = result.pop("slab_before_kib")
    growth = {name: kib - before.get(name, 0) for name, kib in slab_after.items()}
    result["slab_growth_kib"] = dict(sorted(growth.items(), key=lambda x: -x[1])[:15])
    result["load_average_sampled"] = load_average()
    beyond = sorted(s["beyond_guest"] for s in samples)
    status.show(f"[3/3] memory: private beyond the guest's pages p50 "
                f"{stats.nearest_rank(beyond, 50)} KiB, max {beyond[-1] if beyond else '-'} KiB "
                f"over {len(samples)} clones", final=True)
    return result, samples


def parse_metrics(text):
    """Prometheus text: {"name{labels}": value} of every sample line."""
    metrics = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.rpartition(" ")
            try:
                metrics[name] = float(value)
            except ValueError:
                pass
    return metrics


def check_paths(args):
    for option, path in (("--mimeo", args.mimeo), ("--guest", args.guest)):
        if not os.path.isfile(path):
            sys.exit(f"daemon.py: {option} {path}: no such file (build first: bench/run)")
    if not os.access("/dev/kvm", os.R_OK | os.W_OK):
        sys.exit("daemon.py: /dev/kvm: not accessible (KVM is required)")
    if not args.no_plot and shutil.which(args.gnuplot) is None:
        sys.exit(f"daemon.py: --gnuplot {args.gnuplot}: not found (install gnuplot-nox or "
                 "pass --no-plot)")
    for name in ("requests", "burst", "burst_rounds", "clones", "batch", "parallel"):
        if getattr(args, name) < 1:
            sys.exit(f"daemon.py: --{name.replace('_', '-')} must be at least 1")
    if args.batch > 1000:
        sys.exit("daemon.py: --batch must be at most 1000 (the API's count)")
    needed_mib = args.clones * 4  # private, kernel and page tables with room to spare
    if needed_mib > 0.7 * smaps.mem_available_mib():
        sys.exit(f"daemon.py: {args.clones} clones need about {needed_mib} MiB; "
                 f"MemAvailable is {smaps.mem_available_mib():.0f} MiB")


def stop_leftovers(state_dir):
    """SIGTERM to every clone of this benchmark's daemon still running (the daemon
    leaves handed-out clones running when it stops, also those of a request it was
    serving); found by their command line, which names the state directory."""
    stopped = 0
    for name in os.listdir("/proc"):
        if name.isdigit() and is_worker_of(int(name), state_dir):
            try:
                os.kill(int(name), signal.SIGTERM)
                stopped += 1
            except ProcessLookupError:
                pass
    return stopped


def templating_reference(path):
    """`mimeo clone DIR` figures from bench/templating.py's results, if present."""
    try:
        with open(path, encoding="utf-8") as file:
            document = json.load(file)
        clone_latency = document["latency"]["mimeo-clone"]["pong_ms"]
    except (OSError, KeyError, ValueError):
        return None
    reference = {"file": os.path.relpath(path, REPO), "date": document["machine"]["date"],
                 "pong_ms": clone_latency, "guest_memory": "256M",  # benchlib/systems.py SIZE
                 "memory": None, "density": None}
    for entry in document.get("memory", {}).get("mimeo-clone", []):
        if "per_clone_mib" in entry:
            reference["memory"] = {"clones": entry["clones"], **entry["per_clone_mib"]}
    for entry in document.get("density", {}).get("mimeo-clone", []):
        if "all_answered_ms" in entry:
            reference["density"] = {"clones": entry["clones"],
                                    "all_answered_ms": entry["all_answered_ms"]}
    return reference


def measure(args):
    check_paths(args)
    console_ping.raise_fd_limit()
    mimeo, guest = os.path.abspath(args.mimeo), os.path.abspath(args.guest)
    work = tempfile.mkdtemp(prefix="mimeo-daemon-", dir=args.work_dir)
    status = Status()
    facts = machine.collect(mimeo, REPO, None, work)
    facts["mem_available_mib_before"] = round(smaps.mem_available_mib())
    load = machine.BackgroundLoad()
    load.start()
    document = {"benchmark": "daemon", "machine": facts,
                "settings": {k: getattr(args, k) for k in (
                    "requests", "burst", "burst_rounds", "clones", "batch", "parallel", "pool_size",
                    "memory", "gap", "settle", "timeout")}}
    daemon = Daemon(mimeo, work, args.pool_size)
    alive = []
    try:
        daemon.start()
        client = Client(daemon.socket)
        started = time.monotonic()
        _, made = client.post("/templates", {
            "name": TEMPLATE, "kernel": guest, "memory": args.memory,
            "ready": {"serial": "mimeo-guest ready"}, "pool_size": args.pool_size})
        document["template_create_s"] = time.monotonic() - started
        template_dir = made["dir"]
        document["pool_fill_s"] = wait_pool_full(client, args.pool_size, args.timeout)
        document["daemon_idle"] = daemon_snapshot(daemon, template_dir)
        status.show(f"template '{TEMPLATE}' ({args.memory}) made in "
                    f"{document['template_create_s'] * 1000:.0f} ms, pool of {args.pool_size} "
                    f"full {document['pool_fill_s'] * 1000:.0f} ms later", final=True)
        document["steady"] = scenario_steady(client, args, status)
        document["burst"] = {mode: scenario_burst(client, args, status, mode)
                             for mode in ("sequential", "concurrent")}
        document["metrics_after_latency"] = parse_metrics(client.request("GET", "/metrics")[1])
        density, samples = scenario_density(client, daemon, args, status, template_dir, alive)
        document["density"] = density
        document["memory_samples"] = samples
        document["metrics_with_clones"] = parse_metrics(client.request("GET", "/metrics")[1])
        client.close()
        seconds, errors = delete_all(daemon.socket, [c for c, _ in alive], status)
        document["density"]["delete_all_s"] = seconds
        document["density"]["delete_errors"] = errors
        if not errors:
            alive.clear()
    finally:
        document["daemon_exit_status"] = daemon.stop()
        document["leftover_clones_stopped"] = stop_leftovers(daemon.state_dir)
        document["daemon_log_tail"] = daemon.log_tail(2000)
        # After the daemon is reaped, so that its and its clones' CPU time count as ours.
        facts["cpu_busy_during_run"] = load.stop()
        facts["load_average_after"] = list(os.getloadavg())
        shutil.rmtree(work, ignore_errors=True)
    document["templating_reference"] = templating_reference(args.templating_json)
    return document


def main():
    args = parse_args()
    if args.from_json:
        with open(args.from_json, encoding="utf-8") as file:
            document = json.load(file)
    else:
        signal.signal(signal.SIGTERM, lambda *_: sys.exit("daemon.py: terminated"))
        document = measure(args)
        os.makedirs(args.out_dir, exist_ok=True)
        with open(os.path.join(args.out_dir, "daemon.json"), "w", encoding="utf-8") as file:
            json.dump(document, file, indent=1)
            file.write("\n")
    markdown = report.markdown(document)
    os.makedirs(args.out_dir, exist_ok=True)
    with open(os.path.join(args.out_dir, "daemon.md"), "w", encoding="utf-8") as file:
        file.write("# mimeo serve against issue 5's goals (bench/daemon.py)\n\n" + markdown)
    print(markdown)
    if args.docs:
        from benchlib import report as startup_report
        startup_report.replace_block(args.docs, "daemon-results", markdown)
    if not args.no_plot:
        try:
            report.plots(document, args.img_dir, args.gnuplot)
        except (RuntimeError, ValueError) as error:
            sys.exit(f"daemon.py: plot: {error}")
    density = document["density"]
    if density["alive"] < document["settings"]["clones"] or density["answered"] < density["alive"]:
        print(f"daemon.py: {density['alive']} of {document['settings']['clones']} clones made, "
              f"{density['answered']} answered ping", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
