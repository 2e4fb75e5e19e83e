#!/usr/bin/env python3
"""Do hand-written programs emit the same Kubernetes objects as archc's k8s target?

    same_objects.py ARCHC_K8S_DIR STREAM.yaml [STREAM.yaml ...]

ARCHC_K8S_DIR is the k8s/ directory `archc build --target k8s` wrote; each
STREAM.yaml is one program's output, a multi-document YAML stream. Objects are
keyed by (apiVersion, kind, namespace, name) and compared as parsed YAML, so
quoting, key order and comments do not count; types and values do.

Two things are set aside, and said so on every run:
- archc's kustomization.yaml: the index of archc's files for `kubectl apply -k`,
  not an object sent to the cluster (a single stream has no files to list);
- the value (not the presence) of the pod-template annotation
  archc.dev/env-hash: archc computes it with FNV-1a, the programs with their
  language's own digest (sha256); it only has to change when the shared
  environment does. It must still be there, as 16 lowercase hex digits.

Prints every difference and exits 1 if there is one (2 on bad usage).
"""
import glob
import os
import re
import sys

import yaml

ENV_HASH = "archc.dev/env-hash"
HEX16 = re.compile(r"^[0-9a-f]{16}$")
SET_ASIDE_KINDS = {("kustomize.config.k8s.io/v1beta1", "Kustomization")}


def key(obj):
    meta = obj.get("metadata") or {}
    return (obj.get("apiVersion"), obj.get("kind"), meta.get("namespace"), meta.get("name"))


def normalise(obj, where, problems):
    """Replace the env-hash value by a placeholder, after checking its form."""
    if isinstance(obj, dict):
        for k, v in obj.items():
            if k == "annotations" and isinstance(v, dict) and ENV_HASH in v:
                if not (isinstance(v[ENV_HASH], str) and HEX16.match(v[ENV_HASH])):
                    problems.append(f"{where}: {ENV_HASH} is {v[ENV_HASH]!r}, not 16 hex digits")
                v[ENV_HASH] = "<hash>"
            else:
                normalise(v, where, problems)
    elif isinstance(obj, list):
        for v in obj:
            normalise(v, where, problems)


def index(docs, origin, problems):
    out = {}
    for d in docs:
        if d is None:
            continue
        if not isinstance(d, dict):
            problems.append(f"{origin}: a document is not a mapping: {d!r:.60}")
            continue
        if (d.get("apiVersion"), d.get("kind")) in SET_ASIDE_KINDS:
            continue
        k = key(d)
        if k in out:
            problems.append(f"{origin}: {fmt(k)} twice")
        normalise(d, f"{origin} {fmt(k)}", problems)
        out[k] = d
    return out


def fmt(k):
    api, kind, ns, name = k
    return f"{kind} {ns + '/' if ns else ''}{name} ({api})"


def diff(a, b, path, out):
    """Paths where a (archc) and b (program) differ, with both values."""
    if isinstance(a, dict) and isinstance(b, dict):
        for k in a.keys() | b.keys():
            p = f"{path}.{k}"
            if k not in b:
                out.append(f"  {p}: only in archc: {a[k]!r:.80}")
            elif k not in a:
                out.append(f"  {p}: only in program: {b[k]!r:.80}")
            else:
                diff(a[k], b[k], p, out)
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            out.append(f"  {path}: {len(a)} items in archc, {len(b)} in program")
        for i, (x, y) in enumerate(zip(a, b)):
            diff(x, y, f"{path}[{i}]", out)
    elif a != b or type(a) is not type(b):
        out.append(f"  {path}: archc {a!r:.80}, program {b!r:.80}")


def main(argv):
    if len(argv) < 3 or not os.path.isdir(argv[1]):
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    problems = []
    ref_docs = []
    for f in sorted(glob.glob(os.path.join(argv[1], "*.yaml"))):
        with open(f) as fh:
            ref_docs.extend(yaml.safe_load_all(fh))
    ref = index(ref_docs, "archc", problems)
    failed = bool(problems)
    for p in problems:
        print(p)
    for stream in argv[2:]:
        problems = []
        with open(stream) as fh:
            got = index(yaml.safe_load_all(fh), stream, problems)
        for k in sorted(ref.keys() - got.keys(), key=str):
            problems.append(f"{stream}: missing {fmt(k)}")
        for k in sorted(got.keys() - ref.keys(), key=str):
            problems.append(f"{stream}: extra {fmt(k)}")
        for k in sorted(ref.keys() & got.keys(), key=str):
            lines = []
            diff(ref[k], got[k], "", lines)
            if lines:
                problems.append(f"{stream}: {fmt(k)} differs:\n" + "\n".join(sorted(lines)))
        if problems:
            failed = True
            print("\n".join(problems))
        else:
            print(f"{stream}: same {len(got)} objects as archc "
                  f"(set aside: kustomization.yaml, the value of {ENV_HASH})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
