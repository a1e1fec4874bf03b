#!/usr/bin/env python3
"""check-proxy.py OUTPUT MODE TRUSTED -- an independent check of a stream
patched with --proxy-protocol MODE (separate|only) --trusted-networks
TRUSTED (comma-separated, as given). Read with PyYAML, it must hold what
docker-mailserver needs:

- every docker-mailserver container (found by image, as the README says)
  declares each PROXY port at most once, under a valid port name, and in
  separate mode at least smtp-proxy, subs-proxy and sub-proxy;
- its configuration files are mounted (subPath) from ConfigMaps that are in
  the stream; user-patches.sh passes `bash -n` and shellcheck; each Postfix
  PROXY port is configured exactly once; dovecot.cf's braces balance, each
  Dovecot PROXY port has exactly one listener and it speaks PROXY, and
  haproxy_trusted_networks is set once, to TRUSTED;
- every Service selecting its pods with a mail port carries each PROXY port
  of the container exactly once, targeting its name (separate mode).

Prints "check-proxy: ok, ..." or one line per problem (exit 1)."""
import os
import re
import shutil
import subprocess
import sys
import tempfile

import yaml

DMS = re.compile(r"^(?:[^/]+\.[^/]+/|localhost[:/])?(?:.*/)?(?:mailserver|docker-mailserver|tvial)/docker-mailserver(?::[^@]*)?(?:@.*)?$")
POSTFIX = {12525: "smtp", 10465: "submissions", 10587: "submission"}
DOVECOT = {10143: "imap", 10993: "imaps", 10110: "pop3", 10995: "pop3s", 14190: "sieve"}
STD = {25: "smtp", 465: "submissions", 587: "submission", 143: "imap", 993: "imaps", 110: "pop3",
       995: "pop3s", 4190: "sieve"}
problems = []


class Loader(yaml.SafeLoader):
    """SafeLoader that also reads YAML 1.1's '=' (value) scalar, which real
    CRDs contain and PyYAML has no constructor for."""


Loader.add_constructor("tag:yaml.org,2002:value", lambda loader, node: loader.construct_scalar(node))


def need(cond, what):
    if not cond:
        problems.append(what)


def valid_port_name(n):
    return (isinstance(n, str) and 0 < len(n) <= 15 and re.fullmatch(r"[a-z0-9-]+", n) and
            re.search(r"[a-z]", n) and not n.startswith("-") and not n.endswith("-") and "--" not in n)


def dovecot_listeners(text):
    """(service, listener, port, haproxy) for every inet_listener; checks braces."""
    out, stack, cur = [], [], None
    depth = 0
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if line.endswith("{"):
            words = line[:-1].split()
            depth += 1
            stack.append(words)
            if words and words[0] == "inet_listener":
                svc = next((w[1] for w in reversed(stack[:-1]) if w and w[0] == "service" and len(w) > 1), "")
                cur = {"service": svc, "name": words[1] if len(words) > 1 else "", "port": None, "haproxy": False}
                out.append(cur)
        elif line == "}":
            depth -= 1
            need(depth >= 0, "dovecot.cf: a '}' closes nothing")
            if stack and stack.pop()[:1] == ["inet_listener"]:
                cur = None
        elif "=" in line and cur is not None:
            k, v = (s.strip() for s in line.split("=", 1))
            if k == "port":
                cur["port"] = int(v)
            if k == "haproxy":
                cur["haproxy"] = v == "yes"
    need(depth == 0, f"dovecot.cf: braces do not balance (depth {depth} at the end)")
    return out


def main():
    path, mode, trusted = sys.argv[1], sys.argv[2], sys.argv[3].split(",")
    split = len(sys.argv) > 4 and sys.argv[4] == "split"
    docs = [d for d in yaml.load_all(open(path, encoding="utf-8"), Loader=Loader) if isinstance(d, dict)]
    cms = {((d.get("metadata") or {}).get("namespace"), (d.get("metadata") or {}).get("name")): d
           for d in docs if d.get("kind") == "ConfigMap"}
    checked = 0
    for d in docs:
        kind = d.get("kind")
        if kind not in ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Pod"):
            continue
        if "helm.sh/hook" in ((d.get("metadata") or {}).get("annotations") or {}):
            continue  # a Helm hook is never the docker-mailserver workload
        pod = d.get("spec", {}) if kind == "Pod" else ((d.get("spec") or {}).get("template") or {}).get("spec") or {}
        labels = (d.get("metadata") if kind == "Pod" else (d["spec"].get("template") or {}).get("metadata") or {}) or {}
        labels = labels.get("labels") or {}
        ns = (d.get("metadata") or {}).get("namespace")
        name = (d.get("metadata") or {}).get("name")
        volumes = {v.get("name"): v for v in pod.get("volumes") or []}
        names = {}
        for c in pod.get("containers") or []:
            for p in c.get("ports") or []:
                if p.get("name"):
                    need(p["name"] not in names, f"{name}: port name {p['name']} twice in the pod")
                    names[p["name"]] = p.get("containerPort")
        for c in pod.get("containers") or []:
            if not DMS.match(str(c.get("image", ""))):
                continue
            checked += 1
            where = f"{kind} {name} container {c.get('name')}"
            nums = [p.get("containerPort") for p in c.get("ports") or []]
            proxy = [n for n in nums if n in POSTFIX or n in DOVECOT]
            for n in set(proxy):
                need(nums.count(n) == 1, f"{where}: PROXY port {n} declared {nums.count(n)} times")
            for p in c.get("ports") or []:
                if p.get("containerPort") in POSTFIX or p.get("containerPort") in DOVECOT:
                    need(valid_port_name(p.get("name")), f"{where}: invalid port name {p.get('name')!r}")
            if mode == "separate":
                need(all(n in nums for n in POSTFIX), f"{where}: missing a Postfix PROXY port: {nums}")
            mounts = {m.get("mountPath"): m for m in c.get("volumeMounts") or []}
            paths = [m.get("mountPath") for m in c.get("volumeMounts") or []]
            for mp in set(paths):
                if mp and mp.startswith("/tmp/docker-mailserver/"):
                    need(paths.count(mp) == 1, f"{where}: {paths.count(mp)} mounts at {mp}")
            files = {}
            for f in (("user-patches.sh", "dovecot.cf") if mode == "separate" else ("postfix-master.cf", "dovecot.cf")):
                m = mounts.get("/tmp/docker-mailserver/" + f)
                if m is None:
                    # Dovecot needs no file when the container has no Dovecot
                    # port to switch (separate: no PROXY port; only: no standard one).
                    dovecot_ports = [n for n in nums if n in DOVECOT or (mode == "only" and STD.get(n) in DOVECOT.values())]
                    need(f == "dovecot.cf" and not dovecot_ports, f"{where}: /tmp/docker-mailserver/{f} is not mounted")
                    continue
                vol = volumes.get(m.get("name")) or {}
                cm = cms.get((ns, (vol.get("configMap") or {}).get("name")))
                key = m.get("subPath")
                for it in (vol.get("configMap") or {}).get("items") or []:
                    if it.get("path") == key:
                        key = it.get("key")
                need(cm is not None and key in (cm.get("data") or {}),
                     f"{where}: {f} comes from a ConfigMap key that is not in the stream")
                if cm is not None:
                    files[f] = (cm.get("data") or {}).get(key) or ""
            up = files.get("user-patches.sh")
            if up is not None:
                with tempfile.NamedTemporaryFile("w", suffix=".sh", delete=False) as t:
                    t.write(up)
                r = subprocess.run(["bash", "-n", t.name], capture_output=True, text=True)
                need(r.returncode == 0, f"{where}: user-patches.sh: bash -n: {r.stderr.strip()}")
                # What dms-postrender wrote (its marker block) must pass
                # shellcheck at every severity; the rest is the chart's or the
                # user's, held to warnings and errors.
                block = re.findall(r"^# >>> dms-postrender.*?^# <<< dms-postrender[^\n]*$", up, re.S | re.M)
                if shutil.which("shellcheck"):
                    for text, severity in [("#!/bin/bash\n" + b, "style") for b in block] + [(up, "warning")]:
                        with open(t.name, "w") as f:
                            f.write(text)
                        r = subprocess.run(["shellcheck", "-s", "bash", "-S", severity, t.name], capture_output=True, text=True)
                        need(r.returncode == 0, f"{where}: user-patches.sh: shellcheck: {r.stdout.strip()[:300]}")
                os.unlink(t.name)
                for n in POSTFIX:
                    # Comments are not configuration: a '#' at the start or after a blank.
                    code = [re.sub(r"(^|[ \t])#.*", "", l) for l in up.splitlines()]
                    lines = [l for l in code if f"{n}/inet/" in l and "_upstream_proxy_protocol=haproxy" in l]
                    # A master.cf entry for the port written out whole (a
                    # here-document): its service line, then "-o" lines.
                    for i, l in enumerate(code):
                        if re.match(rf"^['\"]?{n}\s+inet\s", l):
                            opts = []
                            for m in code[i + 1:]:
                                if not re.match(r"^[ \t]", m):
                                    break
                                opts.append(m)
                            lines += [o for o in opts if "_upstream_proxy_protocol=haproxy" in o]
                    want = 1 if n in nums else 0
                    need(len(lines) == want, f"{where}: user-patches.sh configures PROXY on {n} {len(lines)} times")
                if 12525 in nums:
                    need(any("postscreen_cache_map" in l and "proxy:" in l for l in code),
                         f"{where}: user-patches.sh: two postscreens without a shared proxy: postscreen_cache_map")
            pm = files.get("postfix-master.cf")
            if pm is not None:
                for svc, param in (("smtp", "postscreen"), ("submission", "smtpd"), ("submissions", "smtpd")):
                    line = f"{svc}/inet/{param}_upstream_proxy_protocol=haproxy"
                    need([l.strip() for l in pm.splitlines()].count(line) == 1, f"{where}: postfix-master.cf: {line} not once")
            dc = files.get("dovecot.cf")
            if dc is not None:
                ls = dovecot_listeners(dc)
                tn = [l.split("=", 1)[1].split() for l in dc.splitlines()
                      if l.strip().startswith("haproxy_trusted_networks")]
                need(len(tn) == 1 and sorted(tn[0]) == sorted(trusted),
                     f"{where}: haproxy_trusted_networks is {tn}, expected {trusted}")
                if mode == "separate":
                    for n in DOVECOT:
                        if n not in nums:
                            continue
                        with_port = [l for l in ls if l["port"] == n]
                        need(len(with_port) == 1, f"{where}: dovecot.cf has {len(with_port)} listeners on {n}")
                        for l in with_port:
                            proxied = l["haproxy"] or any(o["name"] == l["name"] and o["haproxy"] for o in ls)
                            need(proxied, f"{where}: dovecot.cf listener {l['name']} ({n}) does not speak PROXY")
                else:
                    for lname in ("imap", "imaps"):
                        need(any(l["name"] == lname and l["haproxy"] for l in ls),
                             f"{where}: dovecot.cf does not switch listener {lname} to PROXY")
            # The Services that select this pod with a mail port.
            if mode != "separate":
                continue
            for s in docs:
                if s.get("kind") != "Service" or (s.get("metadata") or {}).get("namespace") != ns:
                    continue
                if "helm.sh/hook" in ((s.get("metadata") or {}).get("annotations") or {}):
                    continue  # a hook Service is never a mail Service
                sel = (s.get("spec") or {}).get("selector") or {}
                if not sel or any(labels.get(k) != v for k, v in sel.items()):
                    continue
                sports = (s.get("spec") or {}).get("ports") or []
                if not any(p.get("port") in STD or p.get("port") in POSTFIX or p.get("port") in DOVECOT
                           or p.get("targetPort") in names for p in sports):
                    continue
                sname = (s.get("metadata") or {}).get("name")
                spec = s.get("spec") or {}
                public = spec.get("type") in ("LoadBalancer", "NodePort") or bool(spec.get("externalIPs"))
                if split and public:
                    # The PROXY ports left for the ClusterIP <name>-proxy
                    # Service with the same selector.
                    twin = [t for t in docs if t.get("kind") == "Service"
                            and (t.get("metadata") or {}).get("name") == f"{sname}-proxy"
                            and (t.get("metadata") or {}).get("namespace") == ns]
                    need(len(twin) == 1, f"Service {sname}: {len(twin)} Services {sname}-proxy, not 1")
                    if len(twin) != 1:
                        continue
                    tspec = twin[0].get("spec") or {}
                    need(tspec.get("type", "ClusterIP") == "ClusterIP" and not tspec.get("externalIPs"),
                         f"Service {sname}-proxy is not a plain ClusterIP Service")
                    need(tspec.get("selector") == sel, f"Service {sname}-proxy selects {tspec.get('selector')}, not {sel}")
                    for p in c.get("ports") or []:
                        n = p.get("containerPort")
                        if n in POSTFIX or n in DOVECOT:
                            need(not [q for q in sports if q.get("port") == n],
                                 f"Service {sname}: PROXY port {n} is still on the public Service")
                    sname, sports = f"{sname}-proxy", tspec.get("ports") or []
                for p in c.get("ports") or []:
                    n = p.get("containerPort")
                    if n not in POSTFIX and n not in DOVECOT:
                        continue
                    on = [q for q in sports if q.get("port") == n]
                    need(len(on) == 1, f"Service {sname}: PROXY port {n} appears {len(on)} times")
                    for q in on:
                        need(q.get("targetPort") in (p.get("name"), n),
                             f"Service {sname}: port {n} targets {q.get('targetPort')!r}, not {p.get('name')!r}")
    need(checked > 0, "no docker-mailserver container in the output")
    for p in problems:
        print(p)
    if not problems:
        print(f"check-proxy: ok, {checked} docker-mailserver container(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
