#!/usr/bin/env python3
"""mail-files.py STREAM OUTDIR -- what a docker-mailserver container of a
patched stream would find at start-up, written out for tests/tools/mail-lab.sh.

For the one DMS container of STREAM (image .../docker-mailserver) it writes:
- every file mounted under /tmp/docker-mailserver/ from a ConfigMap key
  (user-patches.sh, postfix-master.cf, postfix-main.cf, dovecot.cf), under
  its own base name;
- env: the container's ENABLE_IMAP, ENABLE_POP3, ENABLE_MANAGESIEVE and
  SMTP_ONLY as NAME=VALUE lines (literal values only), each with DMS v15's
  default when absent (IMAP on, POP3 and ManageSieve off);
- ports: one "NAME NUMBER" line per container port.
It reads; it decides nothing about PROXY (the lab asserts on the servers).
"""
import os
import re
import sys

import yaml

DMS = re.compile(r"(^|/)(mailserver|docker-mailserver|tvial)/docker-mailserver(:|@|$)")
DEFAULTS = {"ENABLE_IMAP": "1", "ENABLE_POP3": "", "ENABLE_MANAGESIEVE": "", "SMTP_ONLY": ""}


def main():
    stream, out = sys.argv[1], sys.argv[2]
    docs = [d for d in yaml.safe_load_all(open(stream, encoding="utf-8")) if isinstance(d, dict)]
    cms = {(d.get("metadata") or {}).get("name"): d for d in docs if d.get("kind") == "ConfigMap"}
    found = []
    for d in docs:
        if d.get("kind") not in ("Deployment", "StatefulSet", "DaemonSet"):
            continue
        pod = ((d.get("spec") or {}).get("template") or {}).get("spec") or {}
        volumes = {v.get("name"): v for v in pod.get("volumes") or []}
        for c in pod.get("containers") or []:
            if DMS.search(str(c.get("image", ""))):
                found.append((c, volumes))
    if len(found) != 1:
        sys.exit(f"mail-files.py: {stream}: {len(found)} docker-mailserver containers, expected 1")
    c, volumes = found[0]
    os.makedirs(out, exist_ok=True)
    for m in c.get("volumeMounts") or []:
        path = m.get("mountPath") or ""
        if not path.startswith("/tmp/docker-mailserver/") or not m.get("subPath"):
            continue
        cm = (volumes.get(m.get("name")) or {}).get("configMap")
        if not cm:
            continue
        key = m["subPath"]
        for it in cm.get("items") or []:
            if it.get("path") == key:
                key = it.get("key")
        data = (cms.get(cm.get("name")) or {}).get("data") or {}
        if key not in data:
            sys.exit(f"mail-files.py: {path} comes from ConfigMap {cm.get('name')} key {key}, not in the stream")
        with open(os.path.join(out, os.path.basename(path)), "w", encoding="utf-8") as f:
            f.write(data[key] or "")
    env = dict(DEFAULTS)
    for e in c.get("env") or []:
        if e.get("name") in env and "value" in e:
            env[e["name"]] = "" if e["value"] is None else str(e["value"])
    with open(os.path.join(out, "env"), "w", encoding="utf-8") as f:
        f.writelines(f"{k}={v}\n" for k, v in env.items())
    with open(os.path.join(out, "ports"), "w", encoding="utf-8") as f:
        f.writelines(f"{p.get('name', '-')} {p.get('containerPort')}\n" for p in c.get("ports") or [])


if __name__ == "__main__":
    main()
