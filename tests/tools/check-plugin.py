#!/usr/bin/env python3
"""check-plugin.py -- plugin.yaml against Helm 4's loader, as
../shared/reference/clients.md (sections 2.5, 2.6) records it.

Usage: check-plugin.py PLUGIN_YAML VERSION

Prints the hook and command lines (tab-separated: kind, command, args as
JSON) for the caller to run, or the violations (exit 1).
"""
import json
import re
import sys

import yaml

SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
                    r"(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
                    r"(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$")
TOP = {"apiVersion", "name", "type", "runtime", "version", "sourceURL", "config", "runtimeConfig"}
ENTRY = {"os", "arch", "command", "args"}
# Build only when there is no binary (a release tarball carries one) and never
# install system packages (NO_APT=1).
HOOK = ["-c", 'cd "$HELM_PLUGIN_DIR" && { [ -x bin/dms-postrender ] || make NO_APT=1; }']


def main():
    p = yaml.safe_load(open(sys.argv[1]))
    want_version = sys.argv[2]
    bad = []
    if set(p) - TOP:
        bad.append("unknown top-level keys (Helm decodes strictly): %s" % sorted(set(p) - TOP))
    if p.get("apiVersion") != "v1":
        bad.append("apiVersion must be v1")
    if not re.match(r"^[A-Za-z0-9_-]+$", str(p.get("name", ""))) or p.get("name") != "dms-postrender":
        bad.append("name must be dms-postrender")
    if p.get("type") != "postrenderer/v1":
        bad.append("type must be postrenderer/v1")
    if p.get("runtime") != "subprocess":
        bad.append("runtime must be subprocess")
    if not isinstance(p.get("version"), str) or not SEMVER.match(p["version"]):
        bad.append("version %r is not strict SemVer (no leading v)" % p.get("version"))
    elif p["version"] != want_version:
        bad.append("version %s differs from VERSION's %s" % (p["version"], want_version))
    if p.get("config") not in (None, {}):
        bad.append("config must be absent or empty (postrenderer/v1 has no config fields)")
    rc = p.get("runtimeConfig") or {}
    cmds = rc.get("platformCommand") or []
    if not cmds:
        bad.append("runtimeConfig.platformCommand is missing")
    lines = []
    for c in cmds:
        if set(c) - ENTRY:
            bad.append("platformCommand entry has unknown keys %s" % sorted(set(c) - ENTRY))
        if c.get("command") != "${HELM_PLUGIN_DIR}/bin/dms-postrender":
            bad.append("platformCommand runs %r, not ${HELM_PLUGIN_DIR}/bin/dms-postrender" % c.get("command"))
        lines.append("command\t%s\t%s" % (c.get("command"), json.dumps(c.get("args") or [])))
    hooks = rc.get("platformHooks") or {}
    for event in ("install", "update"):
        entries = hooks.get(event) or []
        if not entries:
            bad.append("no %s hook: the binary would not be built" % event)
        for h in entries:
            if set(h) - ENTRY:
                bad.append("%s hook has unknown keys" % event)
            args = h.get("args") or []
            # Helm 4 expands only the first token of a v1 hook's command, never
            # its args: the directory must reach make through sh.
            if h.get("command") != "sh" or args != HOOK:
                bad.append("%s hook is %r %r, expected sh %r" % (event, h.get("command"), args, HOOK))
            lines.append("%s\t%s\t%s" % (event, h.get("command"), json.dumps(args)))
    if bad:
        for b in bad:
            print("check-plugin: " + b)
        return 1
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
