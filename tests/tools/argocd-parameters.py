#!/usr/bin/env python3
"""argocd-parameters.py BIN -- print the `parameters.static` list of
examples/argocd/plugin.yaml from BIN's --print-config (names, defaults,
lists as arrays) and --help (tooltips), for pasting into the plugin after an
option changes. tests/clients.sh checks the plugin against the same source."""
import re
import subprocess
import sys

import yaml

binary = sys.argv[1]
defaults = yaml.safe_load(subprocess.run([binary, "--print-config"], capture_output=True, text=True,
                                         stdin=subprocess.DEVNULL, check=True).stdout)
help_text = subprocess.run([binary, "--help"], capture_output=True, text=True, check=True).stdout
tips, cur = {}, None
for line in help_text.splitlines():
    m = re.match(r"^\s+(?:-\w, )?--([a-z0-9-]+)(?:=\S+)?\s*(.*)$", line)
    if m and not line.startswith(" " * 30):
        cur = m.group(1)
        tips[cur] = m.group(2).strip()
    elif cur and line.startswith(" " * 30):
        tips[cur] = (tips[cur] + " " + line.strip()).strip()
    else:
        cur = None
items = []
for name, value in defaults.items():
    item = {"name": name, "title": name, "tooltip": tips[name]}
    if isinstance(value, list):
        item["collectionType"] = "array"
        item["array"] = value
    else:
        item["string"] = "" if value is None else str(value).lower() if isinstance(value, bool) else str(value)
    items.append(item)
text = yaml.safe_dump(items, sort_keys=False, width=100)
print("\n".join("      " + l for l in text.splitlines()))
