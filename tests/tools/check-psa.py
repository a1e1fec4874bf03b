#!/usr/bin/env python3
"""check-psa.py OUTPUT REPORT -- an independent oracle for the Pod Security
level dms-postrender reports: it reads the patched stream with PyYAML and
applies the baseline checks of Kubernetes' Pod Security admission, written
here from kubernetes/pod-security-admission policy/ at commit 8f84a87
(2026-07-01; the file of each check is named below), to every workload in
the report's "podSecurity" list, and requires the same level (baseline or
privileged; a docker-mailserver pod never meets restricted:
check_allowPrivilegeEscalation.go and check_runAsUser.go) and the same
failed baseline check IDs.

Prints "check-psa: ok, N workloads (LEVEL...)" or one line per problem;
exit 1 on any problem.
"""
import json
import sys

import yaml

# check_capabilities_baseline.go: capabilities_allowed_1_0
BASELINE_CAPS = {"AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD",
                 "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT"}
TEMPLATE = {"Deployment": ("spec", "template"), "StatefulSet": ("spec", "template"),
            "DaemonSet": ("spec", "template"), "ReplicaSet": ("spec", "template"),
            "Job": ("spec", "template"), "CronJob": ("spec", "jobTemplate", "spec", "template"), "Pod": ()}


def baseline_failures(pod, annotations):
    failed = set()
    spec = pod or {}
    # check_hostNamespaces.go
    if any(spec.get(k) is True for k in ("hostNetwork", "hostPID", "hostIPC")):
        failed.add("hostNamespaces")
    # check_hostPathVolumes.go
    if any(isinstance(v, dict) and v.get("hostPath") is not None for v in spec.get("volumes") or []):
        failed.add("hostPathVolumes")
    # check_appArmorProfile.go (annotations and fields)
    for k, v in (annotations or {}).items():
        if str(k).startswith("container.apparmor.security.beta.kubernetes.io/") and v not in (None, "") \
                and v != "runtime/default" and not str(v).startswith("localhost/"):
            failed.add("appArmorProfile")
    psc = spec.get("securityContext") or {}
    scs = [psc]
    containers = [c for key in ("containers", "initContainers", "ephemeralContainers")
                  for c in spec.get(key) or [] if isinstance(c, dict)]
    for c in containers:
        sc = c.get("securityContext") or {}
        scs.append(sc)
        # check_privileged.go
        if sc.get("privileged") is True:
            failed.add("privileged")
        # check_capabilities_baseline.go
        if any(cap not in BASELINE_CAPS for cap in (sc.get("capabilities") or {}).get("add") or []):
            failed.add("capabilities_baseline")
        # check_hostPorts.go
        if any(isinstance(p, dict) and p.get("hostPort") not in (None, 0) for p in c.get("ports") or []):
            failed.add("hostPorts")
        # check_procMount_baseline.go
        if sc.get("procMount") not in (None, "Default"):
            failed.add("procMount")
    for sc in scs:
        if (sc.get("appArmorProfile") or {}).get("type") not in (None, "RuntimeDefault", "Localhost"):
            failed.add("appArmorProfile")
        # check_seccompProfile_baseline.go
        if (sc.get("seccompProfile") or {}).get("type") not in (None, "RuntimeDefault", "Localhost"):
            failed.add("seccompProfile_baseline")
        # check_seLinuxOptions.go
        se = sc.get("seLinuxOptions") or {}
        if se.get("type") not in (None, "", "container_t", "container_init_t", "container_kvm_t",
                                  "container_engine_t") or se.get("user") or se.get("role"):
            failed.add("seLinuxOptions")
        # check_windowsHostProcess.go
        if (sc.get("windowsOptions") or {}).get("hostProcess") is True:
            failed.add("windowsHostProcess")
    # check_sysctls.go (the 1.32 safe set)
    safe = {"kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.ip_unprivileged_port_start",
            "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range", "net.ipv4.ip_local_reserved_ports",
            "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl",
            "net.ipv4.tcp_keepalive_probes", "net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem"}
    if any(s.get("name") not in safe for s in psc.get("sysctls") or [] if isinstance(s, dict)):
        failed.add("sysctls")
    return failed


def main():
    out, report = sys.argv[1], json.load(open(sys.argv[2]))
    objs = {}
    docs = []
    for d in yaml.safe_load_all(open(out, encoding="utf-8-sig")):
        if isinstance(d, dict) and str(d.get("kind", "")).endswith("List"):
            docs += [i for i in d.get("items") or [] if isinstance(i, dict)]
        else:
            docs.append(d)
    for d in docs:
        if isinstance(d, dict) and d.get("kind") in TEMPLATE:
            objs[(d["kind"], (d.get("metadata") or {}).get("namespace"), (d.get("metadata") or {}).get("name"))] = d
    problems, seen = [], []
    for e in report.get("podSecurity") or []:
        key = (e["kind"], e.get("namespace"), e["name"])
        d = objs.get(key)
        if d is None:
            problems.append(f"{key}: reported but not in the output")
            continue
        tmpl = d
        for k in TEMPLATE[d["kind"]]:
            tmpl = (tmpl or {}).get(k) or {}
        pod = tmpl.get("spec") if TEMPLATE[d["kind"]] else d.get("spec")
        ann = ((tmpl.get("metadata") if TEMPLATE[d["kind"]] else d.get("metadata")) or {}).get("annotations")
        failed = baseline_failures(pod, ann)
        want = "privileged" if failed else "baseline"
        got_ids = {part.split(" (")[0] for part in (e.get("baselineFails") or "").split("; ") if part}
        if e["level"] != want or got_ids != failed:
            problems.append(f"{key}: reported {e['level']} {sorted(got_ids)}, the upstream checks say {want} {sorted(failed)}")
        seen.append(want)
    if not seen and not problems:
        problems.append("no docker-mailserver workload in the report's podSecurity")
    for p in problems:
        print("check-psa: " + p)
    if not problems:
        print(f"check-psa: ok, {len(seen)} workloads ({', '.join(seen)})")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
