#!/usr/bin/env python3
"""check-option-docs.py HELP PRINT-CONFIG README MAN PLUGIN [ARGO-PRINT-CONFIG] --
every place an option is described agrees with the option table
(src/config.c), as --help and --print-config print it:

- the default: what --help says "(default X)" is the value --print-config
  shows, the README table's "(default `X`)", the man page's "(default X)" or
  "Default X.", and the string (or array) the Argo CD plugin announces (as
  --print-config shows it under Argo CD, ARGO-PRINT-CONFIG, when given); an
  option whose --print-config value is set but whose --help names no default
  fails too;
- the dependencies: an option --help says "(needs X)" of has "needs X" in its
  README row and "Needs X" in its man page entry.

Prints one line per problem; exit status 1 when there is any.
"""
import re
import sys

import yaml


def norm(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v).strip().strip("`'\"")


def main():
    help_text, cfg_path, readme, man, plugin = sys.argv[1:6]
    text = open(help_text).read()
    cfg = yaml.safe_load(open(cfg_path))
    argo = yaml.safe_load(open(sys.argv[6])) if len(sys.argv) > 6 else cfg
    readme = open(readme).read()
    # The options table is under "## Options"; other tables name options too.
    start = readme.find("\n## Options")
    readme = readme[start:readme.find("\n## ", start + 1)] if start >= 0 else readme
    man = open(man).read()
    params = {p["name"]: p for p in yaml.safe_load(open(plugin))["spec"]["parameters"]["static"]}
    problems = []
    # --help: "  -v, --name=ARG   text" and continuation lines indented by 30.
    entries, cur = {}, None
    for line in text.splitlines():
        m = re.match(r"^  (?:-\w, |    )--([a-z0-9-]+)", line)
        if m:
            cur = m.group(1)
            entries[cur] = line[30:] if len(line) > 30 else ""
        elif cur and line.startswith(" " * 30):
            entries[cur] += " " + line.strip()
        elif not line.strip() or not line.startswith(" "):
            cur = None
    for name, desc in entries.items():
        if name in ("help", "version"):
            continue
        desc = " ".join(desc.split())
        row = next((l for l in readme.splitlines() if l.startswith("| ") and (f"`--{name}`" in l or f"`--{name}=" in l)), None)
        block = re.search(r"^\.B[IR]? (?:\\-\w \", \" )?\\-\\-" + re.escape(name.replace("-", "\\-")) + r"(?![a-z\\])(?:.(?!^\.TP|^\.SH))*", man, re.M | re.S)
        block = block.group(0).replace("\\-", "-").replace("\\fB", "").replace("\\fR", "").replace("\\fI", "") if block else None
        if row is None:
            problems.append(f"--{name}: no row in the README options table")
        if block is None:
            problems.append(f"--{name}: no entry in the man page")
        m = re.search(r"\(default ([^);]+)\)", desc)
        if name in cfg:
            shown = cfg[name]
            if m:
                want = m.group(1)
                if norm(shown) != want and not isinstance(shown, list):
                    problems.append(f"--{name}: --help says default {want}, --print-config shows {shown!r}")
                if row is not None and not re.search(r"default `" + re.escape(want) + "`", row):
                    problems.append(f"--{name}: the README row does not say default `{want}`")
                if block is not None and not re.search(r"(\(default |Default )" + re.escape(want) + r"\b", " ".join(block.split())):
                    problems.append(f"--{name}: the man page does not say default {want}")
            elif shown not in (None, False, []) and not re.search(r"default: ", desc):
                problems.append(f"--{name}: --print-config shows {shown!r}, but --help names no default")
            p = params.get(name)
            shown = argo.get(name, shown)
            if p is None:
                problems.append(f"--{name}: not announced by the Argo CD plugin")
            elif isinstance(shown, list):
                if p.get("array") != shown:
                    problems.append(f"--{name}: the Argo CD plugin announces {p.get('array')!r}, --print-config {shown!r}")
            elif p.get("string") != ("" if shown is None else norm(shown)):
                problems.append(f"--{name}: the Argo CD plugin announces {p.get('string')!r}, --print-config {shown!r}")
        n = re.search(r"\(needs ([^)]+)\)", desc)
        if n:
            needs = n.group(1)
            if row is not None and f"needs `{needs}`" not in row:
                problems.append(f"--{name}: the README row does not say needs `{needs}`")
            if block is not None and f"Needs {needs}" not in " ".join(block.split()):
                problems.append(f"--{name}: the man page does not say Needs {needs}")
    if len(entries) < 20:
        problems.append(f"only {len(entries)} options read from --help")
    print("\n".join(problems) if problems else f"check-option-docs: ok, {len(entries)} options")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
