#!/usr/bin/env python3
"""run.py -- `make bench`: dms-postrender side by side with what people use
instead, on the same generated streams and the same patch set.

Usage: run.py BIN FLOOR [--quick]   (BIN: dms-postrender, FLOOR: parse-floor)

Also: peak RSS against the size of one patched Deployment of 1, 8 and 32
MB (memory per patched byte).

For each input size (10 KB, 1 MB, 10 MB, 100 MB; written by
tests/tools/gen-stream.py into a temporary directory, never committed) every
command runs several times with stdin from the file and stdout to /dev/null.
Each run goes through GNU time (/usr/bin/time, Debian package "time"): the
wall time is taken from spawn to exit, the peak RSS is time's %M for that
command alone (a Python parent's own memory would leak into wait4()'s
figure through fork). The table shows the median wall time, MB/s, the
spread (slowest minus fastest over the median) and the peak RSS, plus the
ratios the targets are stated in; it is printed and written to
bench/RESULTS.md together with the machine and the exact commands.
"""
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SIZES = [("10 KB", 10_000), ("1 MB", 1_000_000), ("10 MB", 10_000_000), ("100 MB", 100_000_000)]
ARGS = ["--fail2ban=off", "--apparmor=annotation", "--metallb-pool=mail"]

KUSTOMIZATION = """resources:
- stream.yaml
patches:
- target: {kind: Deployment, name: mailserver}
  patch: |
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: mailserver
    spec:
      template:
        metadata:
          annotations:
            container.apparmor.security.beta.kubernetes.io/mailserver: runtime/default
        spec:
          containers:
          - name: mailserver
            securityContext:
              allowPrivilegeEscalation: true
              readOnlyRootFilesystem: false
              runAsUser: 0
              runAsGroup: 0
              runAsNonRoot: false
              privileged: false
              capabilities:
                add: [CHOWN, FOWNER, MKNOD, SETGID, SETUID, DAC_OVERRIDE, NET_BIND_SERVICE, SYS_CHROOT, KILL]
                drop: [ALL]
              seccompProfile:
                type: RuntimeDefault
- target: {kind: Service, name: mailserver}
  patch: |
    apiVersion: v1
    kind: Service
    metadata:
      name: mailserver
      annotations:
        metallb.io/address-pool: mail
        metallb.universe.tf/address-pool: mail
    spec:
      type: LoadBalancer
      externalTrafficPolicy: Local
"""


def runs_for(size, tool):
    """How many runs: enough for a stable median, bounded for the slow tools."""
    if tool in ("kubectl kustomize", "PyYAML (C loader/dumper)"):
        return {10_000: 7, 1_000_000: 5, 10_000_000: 3}.get(size, 0)
    return {10_000: 301, 1_000_000: 41, 10_000_000: 15, 100_000_000: 5}[size]


TIME = "/usr/bin/time"  # GNU time (Debian: time); a small C parent, so %M is the command's own peak


def run_once(argv, stdin_path, rss_file):
    with open(stdin_path, "rb") as fin, open(os.devnull, "wb") as fout:
        t0 = time.perf_counter()
        p = subprocess.run([TIME, "-f", "%M", "-o", rss_file] + argv, stdin=fin, stdout=fout,
                           stderr=subprocess.PIPE)
        elapsed = time.perf_counter() - t0
    if p.returncode != 0:
        raise SystemExit("bench: %s failed (exit %d): %s" % (" ".join(argv), p.returncode,
                                                              p.stderr.decode(errors="replace")[:300]))
    with open(rss_file) as f:
        return elapsed, int(f.read().split()[-1])


def measure_all(cmds, path):
    """Run every command N times, interleaved (one run of each in turn), so
    that a noisy neighbour slows all of them alike."""
    times = {k: [] for k in cmds}
    rss = {k: 0 for k in cmds}
    for i in range(max(n for _, n in cmds.values())):
        for k, (argv, n) in cmds.items():
            if i < n:
                t, r = run_once(argv, path, path + ".rss")
                times[k].append(t)
                rss[k] = max(rss[k], r)
    out = {}
    for k, ts in times.items():
        med = statistics.median(ts)
        out[k] = {"median": med, "spread": (max(ts) - min(ts)) / med if med else 0.0, "rss": rss[k], "n": len(ts)}
    return out


def instructions(argv, path):
    """Instructions executed (valgrind's callgrind): repeatable where wall
    time is not. None when valgrind is missing."""
    if not shutil.which("valgrind"):
        return None
    out = path + ".cg"
    with open(path, "rb") as fin, open(os.devnull, "wb") as fout:
        p = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out] + argv,
                           stdin=fin, stdout=fout, stderr=subprocess.PIPE, text=True)
    for line in p.stderr.splitlines():
        if "Collected" in line or "refs:" in line:
            return int(line.split()[-1].replace(",", ""))
    return None


SHARED = os.path.join(ROOT, "..", "shared")
PROXY_ARGS = ["--proxy-protocol=separate", "--trusted-networks=10.0.0.0/8"]


def real_streams(binary, floor, tmp):
    """Real input (../shared): the third-party corpus concatenated (no
    docker-mailserver object in it) and the official chart's real Helm 3
    render (one Deployment patched). Wall time and instructions for
    dms-postrender, the floor and cat. [] without ../shared."""
    rows = []
    corpus_dir = os.path.join(SHARED, "corpus", "real")
    render = os.path.join(SHARED, "corpus", "dms", "rendered", "helm3", "default.yaml")
    if not os.path.isdir(corpus_dir) or not os.path.exists(render):
        print("bench: ../shared is not beside the checkout; the real-stream rows are skipped", file=sys.stderr)
        return rows
    # Copies in the scratch directory: the runs write files beside their input.
    shutil.copy(render, os.path.join(tmp, "chart-render.yaml"))
    render = os.path.join(tmp, "chart-render.yaml")
    corpus = os.path.join(tmp, "real-corpus.yaml")
    with open(corpus, "wb") as out:
        for name in sorted(os.listdir(corpus_dir)):
            if not name.endswith(".yaml"):
                continue
            data = open(os.path.join(corpus_dir, name), "rb").read()
            if not data.startswith(b"---"):
                out.write(b"---\n")
            out.write(data if data.endswith(b"\n") else data + b"\n")
    for what, path, variants in (
            ("real corpus (%d files)" % len([n for n in os.listdir(corpus_dir) if n.endswith(".yaml")]), corpus,
             [("dms-postrender", []), ("dms-postrender --proxy-protocol separate", PROXY_ARGS)]),
            ("official chart render (Helm 3, default values)", render, [("dms-postrender", [])])):
        cmds = {name: ([binary] + args, 5) for name, args in variants}
        cmds["libyaml parse only (floor)"] = ([floor], 5)
        cmds["cat"] = (["cat"], 5)
        print("bench: %s, x5 and under callgrind" % what, file=sys.stderr, flush=True)
        times = measure_all(cmds, path)
        for name, (argv, _) in cmds.items():
            rows.append((what, os.path.getsize(path), name, times[name], instructions(argv, path)))
    return rows


def helm_pipeline(binary, tmp):
    """`helm template` of the test chart by the real Helm 3 (the suite's
    cache, tests/tools/get-helm.sh), with and without the post-renderer."""
    cache = os.environ.get("DMSPR_TOOLS_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "dms-postrender-tests")
    helm = os.path.join(cache, "helm3")
    if not os.access(helm, os.X_OK):
        print("bench: no real Helm 3 in %s (make test-clients fetches it); the pipeline row is skipped" % cache,
              file=sys.stderr)
        return {}
    chart = os.path.join(ROOT, "chart-fixtures", "docker-mailserver")
    base = [helm, "template", "mail", chart]
    cmds = {"helm template": (base, 9), "helm template --post-renderer dms-postrender": (base + ["--post-renderer", binary], 9)}
    print("bench: real Helm 3 template, with and without the post-renderer x9", file=sys.stderr, flush=True)
    empty = os.path.join(tmp, "empty-stdin")
    open(empty, "w").close()
    return measure_all(cmds, empty)


def memory_per_document(binary, tmp):
    """Peak RSS against the size of one patched docker-mailserver Deployment
    (1, 8 and 32 MB of env entries), with --max-document-size raised to take
    it: memory per patched byte, the figure the default limit rests on."""
    rows = []
    for mb in (1, 8, 32):
        path = os.path.join(tmp, "memory-%d.yaml" % mb)
        with open(path, "w") as f:
            f.write("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: mail\nspec:\n  template:\n"
                    "    spec:\n      containers:\n        - name: mailserver\n"
                    "          image: mailserver/docker-mailserver:15.1.0\n          env:\n")
            i = 0
            while f.tell() < mb * 1024 * 1024:
                f.write("            - name: VAR_%06d\n              value: \"value number %d\"\n" % (i, i))
                i += 1
        size = os.path.getsize(path)
        print("bench: one patched Deployment of %d MB, x3" % mb, file=sys.stderr, flush=True)
        r = measure_all({"dms-postrender": ([binary] + ARGS + ["--max-document-size=64M"], 3)}, path)["dms-postrender"]
        rows.append((size, r))
        os.unlink(path)
    return rows


def machine():
    model = "unknown CPU"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    def version(argv):
        try:
            return subprocess.run(argv, capture_output=True, text=True).stdout.strip().splitlines()[0]
        except (OSError, IndexError):
            return "not installed"
    import yaml
    return [
        "%s, %d CPUs, %s %s" % (model, os.cpu_count() or 0, platform.system(), platform.release()),
        "libyaml %s (PyYAML %s, C loader %s)" % (getattr(yaml, "__with_libyaml__", False) and
                                                 __import__("yaml._yaml", fromlist=["x"]).get_version_string()
                                                 or "?", yaml.__version__, bool(getattr(yaml, "__with_libyaml__", False))),
        "kubectl: %s" % (version(["kubectl", "version", "--client"]) if shutil.which("kubectl") else "not installed"),
        "Python %s" % platform.python_version(),
    ]


def fmt_time(s):
    return "%.2f ms" % (s * 1e3) if s < 1 else "%.2f s" % s


def main():
    if len(sys.argv) < 3:
        raise SystemExit(__doc__)
    binary, floor = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    if not os.access(TIME, os.X_OK):
        raise SystemExit("bench: %s is missing (Debian: apt-get install time)" % TIME)
    quick = "--quick" in sys.argv[3:]
    sizes = SIZES[:2] if quick else SIZES
    tmp = tempfile.mkdtemp(prefix="dms-bench.")
    kubectl = shutil.which("kubectl")
    tools = [
        ("dms-postrender", lambda p: [binary] + ARGS),
        ("libyaml parse only (floor)", lambda p: [floor]),
        ("cat", lambda p: ["cat"]),
        ("kubectl kustomize", (lambda p: [kubectl, "kustomize", os.path.dirname(p)]) if kubectl else None),
        ("PyYAML (C loader/dumper)", lambda p: [sys.executable, os.path.join(HERE, "pyyaml-patch.py")]),
    ]
    results, instr, patched, patched_size, patched_what = {}, {}, {}, 0, ""
    longseq, real_rows, helm_rows, memory_rows = {}, [], {}, []
    try:
        for label, size in sizes:
            d = os.path.join(tmp, label.replace(" ", ""))
            os.makedirs(d)
            path = os.path.join(d, "stream.yaml")
            with open(path, "w") as f:
                subprocess.run([sys.executable, os.path.join(ROOT, "tests/tools/gen-stream.py"), "--bytes", str(size)],
                               stdout=f, check=True)
            with open(os.path.join(d, "kustomization.yaml"), "w") as f:
                f.write(KUSTOMIZATION)
            real = os.path.getsize(path)
            cmds = {tool: (argv(path), runs_for(size, tool)) for tool, argv in tools
                    if argv is not None and runs_for(size, tool)}
            print("bench: %s, %s" % (label, ", ".join("%s x%d" % (t, n) for t, (_, n) in cmds.items())),
                  file=sys.stderr, flush=True)
            for tool, r in measure_all(cmds, path).items():
                r["mbs"] = real / r["median"] / 1e6
                results[(label, tool)] = r
            if size == 10_000_000 and not quick:
                print("bench: 10 MB under callgrind", file=sys.stderr, flush=True)
                for tool, argv in tools[:2]:
                    instr[tool] = instructions(argv(path), path)
        # Every document patched: the minimal-diff writer (default) against
        # re-emitting, on the official chart's Deployment (its real Helm 3
        # render in ../shared; else the test chart's) 400 times over.
        if not quick:
            official = os.path.join(ROOT, "..", "shared", "corpus", "dms", "rendered", "helm3", "default.yaml")
            source = official if os.path.exists(official) else os.path.join(ROOT, "chart-fixtures/helm3-test-chart.yaml")
            with open(source) as f:
                deploy = [d for d in f.read().split("\n---\n") if '\nkind: "Deployment"' in d][0]
            many = os.path.join(tmp, "patched.yaml")
            with open(many, "w") as f:
                for _ in range(400):
                    f.write("---\n" + deploy + "\n")
            cmds = {"minimal (default)": ([binary] + ARGS, 7), "--format reemit": ([binary] + ARGS + ["--format=reemit"], 7)}
            print("bench: 400 patched Deployments, minimal and reemit x7", file=sys.stderr, flush=True)
            for tool, r in measure_all(cmds, many).items():
                r["mbs"] = os.path.getsize(many) / r["median"] / 1e6
                patched[tool] = r
            patched_size = os.path.getsize(many)
            # One Deployment with 100,000 and 200,000 env entries: the writer
            # must be linear in a sequence's length (it was quadratic).
            for n in (100_000, 200_000):
                env = os.path.join(tmp, "env-%d.yaml" % n)
                with open(env, "w") as f:
                    f.write("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: mail\nspec:\n  selector:\n"
                            "    matchLabels: {app: mail}\n  template:\n    metadata:\n      labels: {app: mail}\n"
                            "    spec:\n      containers:\n        - name: mailserver\n"
                            "          image: mailserver/docker-mailserver:15.1.0\n          env:\n")
                    for i in range(n):
                        f.write("            - name: V%d\n              value: \"%d\"\n" % (i, i))
                big = ARGS + ["--max-document-size=64M"]  # 200,000 entries: 9 MB, past the default
                cmds = {"minimal (default)": ([binary] + big, 3), "--format reemit": ([binary] + big + ["--format=reemit"], 3)}
                print("bench: a Deployment with %d env entries, minimal and reemit x3" % n, file=sys.stderr, flush=True)
                for tool, r in measure_all(cmds, env).items():
                    longseq[(n, tool)] = r
            memory_rows = memory_per_document(binary, tmp)
            patched_what = "official chart's" if source == official else "test chart's"
            real_rows = real_streams(binary, floor, tmp)
            helm_rows = helm_pipeline(binary, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    lines = ["# Benchmark results", "",
             "Written by `make bench` (bench/run.py). Ratios are the figures that matter; machines are noisy.", "",
             "## Machine", ""] + ["- " + m for m in machine()] + [
             "", "## Commands (stdin: the generated stream, stdout: /dev/null)", "",
             "- dms-postrender: `bin/dms-postrender %s`" % " ".join(ARGS),
             "- libyaml parse only (floor): `build/bench/parse-floor` (events, no tree, no output; same CFLAGS)",
             "- cat: `cat`",
             "- kubectl kustomize: `kubectl kustomize DIR` with two strategic-merge patches (bench/run.py)",
             "- PyYAML (C loader/dumper): `python3 bench/pyyaml-patch.py`",
             "", "Median wall time over N runs, spawn to exit (through /usr/bin/time, the same for every command); spread = (slowest - fastest) / median; "
             "peak RSS: the largest of the runs. Runs of the different commands are interleaved.", "",
             "| input | command | runs | median | MB/s | spread | peak RSS |", "| --- | --- | ---: | ---: | ---: | ---: | ---: |"]
    for label, _ in sizes:
        for tool, _ in tools:
            r = results.get((label, tool))
            if r is None:
                why = "not installed" if tool == "kubectl kustomize" and not kubectl else "skipped (too slow)"
                lines.append("| %s | %s | - | %s | | | |" % (label, tool, why))
                continue
            lines.append("| %s | %s | %d | %s | %.1f | %.0f%% | %.1f MiB |" % (
                label, tool, r["n"], fmt_time(r["median"]), r["mbs"], r["spread"] * 100, r["rss"] / 1024))
    lines += ["", "## Against the targets", ""]

    def get(label, tool):
        return results.get((label, tool))
    ours, cat = get("10 KB", "dms-postrender"), get("10 KB", "cat")
    if ours and cat:
        lines.append("- 10 KB start-up: dms-postrender %s, cat %s: %+.2f ms (target: within 1 ms)" % (
            fmt_time(ours["median"]), fmt_time(cat["median"]), (ours["median"] - cat["median"]) * 1e3))
    for label in ("10 MB", "100 MB"):
        o, f = get(label, "dms-postrender"), get(label, "libyaml parse only (floor)")
        if o and f:
            lines.append("- %s: %.2fx the throughput of the libyaml parse-only floor (target: at least 0.8x)" % (
                label, f["median"] / o["median"]))
    o = get("10 MB", "dms-postrender")
    for tool, target in (("kubectl kustomize", 30), ("PyYAML (C loader/dumper)", 10)):
        t = get("10 MB", tool)
        if o and t:
            lines.append("- 10 MB: %.0fx faster than %s (target: at least %dx)" % (t["median"] / o["median"], tool, target))
        elif o:
            lines.append("- 10 MB: %s not measured (not installed)" % tool)
    ours_i, floor_i = instr.get("dms-postrender"), instr.get("libyaml parse only (floor)")
    if ours_i and floor_i:
        lines.append("- 10 MB under callgrind (repeatable): %.2f G instructions against %.2f G for the floor, "
                     "%.2fx its throughput by instruction count" % (ours_i / 1e9, floor_i / 1e9, floor_i / ours_i))
    a, b = get("10 MB", "dms-postrender"), get("100 MB", "dms-postrender")
    if a and b:
        lines.append("- peak RSS: %.1f MiB at 10 MB, %.1f MiB at 100 MB (target: under 16 MiB, no growth)" % (
            a["rss"] / 1024, b["rss"] / 1024))
    if patched:
        lines += ["", "## Writing patched documents", "",
                  "400 copies of the %s Deployment (%.1f MB), every one patched, same options:" %
                  (patched_what, patched_size / 1e6), "", "| writer | runs | median | MB/s | spread | peak RSS |",
                  "| --- | ---: | ---: | ---: | ---: | ---: |"]
        for tool, r in patched.items():
            lines.append("| %s | %d | %s | %.1f | %.0f%% | %.1f MiB |" % (
                tool, r["n"], fmt_time(r["median"]), r["mbs"], r["spread"] * 100, r["rss"] / 1024))
        m, r = patched.get("minimal (default)"), patched.get("--format reemit")
        if m and r:
            lines += ["", "- the minimal-diff writer takes %.2fx the time of re-emitting (it parses each patched "
                      "document's result once more, as a check, and compares trees and renders new lines)" % (m["median"] / r["median"])]
    if longseq:
        lines += ["", "## One long sequence", "",
                  "A Deployment whose container has N env entries, every patch on (the writer must stay linear):",
                  "", "| entries | writer | runs | median | peak RSS |", "| ---: | --- | ---: | ---: | ---: |"]
        for (n, tool), r in sorted(longseq.items()):
            lines.append("| %d | %s | %d | %s | %.1f MiB |" % (n, tool, r["n"], fmt_time(r["median"]), r["rss"] / 1024))
    if memory_rows:
        lines += ["", "## Memory per patched document", "",
                  "One docker-mailserver Deployment of N MB (env entries), patched, with `--max-document-size=64M`:",
                  "", "| document | runs | median | peak RSS | RSS / document |", "| ---: | ---: | ---: | ---: | ---: |"]
        for size, r in memory_rows:
            lines.append("| %.1f MB | %d | %s | %.1f MiB | %.1fx |" % (size / 1e6, r["n"], fmt_time(r["median"]),
                                                                   r["rss"] / 1024, r["rss"] * 1024 / size))
    if real_rows:
        lines += ["", "## Real streams", "",
                  "The third-party corpus of ../shared concatenated, and the official chart's real Helm 3 render. "
                  "Instructions are callgrind's (repeatable); wall time is the median of 5 runs.", "",
                  "| input | command | median | instructions | x floor |", "| --- | --- | ---: | ---: | ---: |"]
        floors = {what: i for what, _, name, _, i in real_rows if name.startswith("libyaml")}
        for what, size, name, r, i in real_rows:
            ratio = "%.3f" % (i / floors[what]) if i and floors.get(what) else "-"
            lines.append("| %s, %.1f MB | %s | %s | %s | %s |" % (what, size / 1e6, name, fmt_time(r["median"]),
                                                                 "{:,}".format(i) if i else "-", ratio))
        lines.append("")
        for what, _, name, _, i in real_rows:
            if name.startswith("dms-postrender") and i and floors.get(what):
                target = 2.0 if what.startswith("official") else 1.10 if "proxy" in name else 1.05
                lines.append("- %s, %s: %.3fx the floor's instructions (target: at most %.2fx)" % (
                    what, name, i / floors[what], target))
    if helm_rows:
        a, b = helm_rows.get("helm template"), helm_rows.get("helm template --post-renderer dms-postrender")
        lines += ["", "## The whole pipeline (real Helm 3)", "", "| command | runs | median | spread |",
                  "| --- | ---: | ---: | ---: |"]
        for name, r in helm_rows.items():
            lines.append("| `%s` | %d | %s | %.0f%% |" % (name, r["n"], fmt_time(r["median"]), r["spread"] * 100))
        if a and b:
            lines += ["", "- with the post-renderer: %.3fx the time of `helm template` alone (%+.1f ms)" % (
                b["median"] / a["median"], (b["median"] - a["median"]) * 1e3)]
    text = "\n".join(lines) + "\n"
    print(text)
    if not quick:
        with open(os.path.join(HERE, "RESULTS.md"), "w") as f:
            f.write(text)
        print("bench: written to bench/RESULTS.md", file=sys.stderr)


if __name__ == "__main__":
    main()
