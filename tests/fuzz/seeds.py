#!/usr/bin/env python3
"""Builds a fuzz target's seed corpus from the test fixtures.

    python3 seeds.py TARGET TESTS_DIR OUT_DIR

TARGET is series, patch, place or apply. Every seed is written in the
input format its target's header comment describes, so the fuzzer starts
from real patches, series files and trees rather than from nothing:

  patch   every *.patch under the fixtures and the repository's patches/,
          behind a strip-level byte (1, and 0 for the -p0 ones)
  series  every series file, for linux and for cygwin, each with a
          selector from the file after the NUL
  place   each patch with each file it touches (from the e2e base tree,
          a case's tree/ laid over it, or minigap/), "PATCH\\0FILE"
  apply   each e2e case as a whole (base/ + tree/ as F/X sections, its
          series as P sections in order) and minigap with its patches

The committed hand-written seeds in seeds/TARGET/ are copied as they are.
"""
import os
import re
import shutil
import stat
import sys

PLATFORMS = ["linux", "cygwin", "darwin", "freebsd", "netbsd", "openbsd", "sunos", "aix"]


def read(path):
    with open(path, "rb") as f:
        return f.read()


def series_order(pdir):
    """[(name, strip)] in the order apply would take them."""
    sfile = os.path.join(pdir, "series")
    out = []
    if os.path.isfile(sfile):
        for line in read(sfile).decode("utf-8", "replace").splitlines():
            line = re.sub(r"(^|\s)#.*$", "", line).strip()
            if not line:
                continue
            words = line.split()
            strip = 1
            for w in words[1:]:
                m = re.fullmatch(r"-p(\d)", w)
                if m:
                    strip = int(m.group(1))
            if os.path.isfile(os.path.join(pdir, words[0])):
                out.append((words[0], strip))
    else:
        for root, _, files in sorted(os.walk(pdir)):
            for f in sorted(files):
                if f.endswith(".patch"):
                    out.append((os.path.relpath(os.path.join(root, f), pdir), 1))
    return out


def touched(patch, strip):
    """The file names a patch's +++ lines give, stripped."""
    names = []
    for m in re.finditer(rb"^(?:\+\+\+|---) ([^\t\r\n]+)", patch, re.M):
        name = m.group(1).decode("utf-8", "replace").strip()
        if name == "/dev/null":
            continue
        parts = name.split("/")
        if len(parts) > strip:
            names.append("/".join(parts[strip:]))
    return names


def tree_files(*roots):
    """{relative path: (bytes, mode)} with later roots laid over earlier."""
    files = {}
    for root in roots:
        if not root or not os.path.isdir(root):
            continue
        for dirpath, _, names in os.walk(root):
            for n in names:
                full = os.path.join(dirpath, n)
                if os.path.islink(full) or not os.path.isfile(full):
                    continue
                rel = os.path.relpath(full, root)
                files[rel] = (read(full), os.stat(full).st_mode)
    return files


class Writer:
    def __init__(self, out):
        self.out = out
        self.n = 0
        os.makedirs(out, exist_ok=True)

    def put(self, name, data):
        self.n += 1
        safe = re.sub(r"[^A-Za-z0-9._-]", "_", name)[:80]
        with open(os.path.join(self.out, "fixture-%03d-%s" % (self.n, safe)), "wb") as f:
            f.write(data)


def all_patches(tests, repo):
    found = []
    for base in (os.path.join(tests, "fixtures"), os.path.join(repo, "patches")):
        for dirpath, _, names in os.walk(base):
            for n in sorted(names):
                if n.endswith(".patch"):
                    found.append(os.path.join(dirpath, n))
    return sorted(found)


def e2e_cases(tests):
    e2e = os.path.join(tests, "fixtures", "e2e")
    if not os.path.isdir(e2e):
        return []
    return [os.path.join(e2e, c) for c in sorted(os.listdir(e2e))
            if os.path.isdir(os.path.join(e2e, c, "patches"))]


def seeds_patch(w, tests, repo):
    for p in all_patches(tests, repo):
        data = read(p)
        w.put(os.path.basename(p), b"\x01" + data)
        if "p0" in os.path.basename(p):
            w.put("p0-" + os.path.basename(p), b"\x00" + data)


def seeds_series(w, tests, repo):
    sels = [b"linux", b"not cygwin", b"linux or (darwin and not cygwin)", b"unix and not aix"]
    k = 0
    for dirpath, _, names in os.walk(tests):
        if "series" in names:
            data = read(os.path.join(dirpath, "series"))
            for plat in (0, 1):
                w.put(os.path.relpath(dirpath, tests),
                      bytes([plat]) + data + b"\x00" + sels[k % len(sels)])
                k += 1
    rs = os.path.join(repo, "patches", "series")
    if os.path.isfile(rs):
        w.put("repo-series", b"\x01" + read(rs) + b"\x00cygwin")
    # the directory convention: lines name the files to create
    w.put("convention", bytes([0x08]) + b"01-first\n02-second\nlinux/00-linux\ncygwin/00-cygwin\n")


def seeds_place(w, tests, repo):
    base = os.path.join(tests, "fixtures", "e2e", "base")
    for case in e2e_cases(tests):
        files = tree_files(base, os.path.join(case, "tree"))
        for name, strip in series_order(os.path.join(case, "patches")):
            patch = read(os.path.join(case, "patches", name))
            for t in dict.fromkeys(touched(patch, strip)):
                if t in files:
                    w.put(os.path.basename(case) + "-" + t, b"\x00" + patch + b"\x00" + files[t][0])
    mg = os.path.join(tests, "fixtures", "minigap")
    mp = os.path.join(tests, "fixtures", "minigap-patches")
    if os.path.isdir(mp):
        for name, strip in series_order(mp):
            patch = read(os.path.join(mp, name))
            for t in dict.fromkeys(touched(patch, strip)):
                if os.path.isfile(os.path.join(mg, t)):
                    w.put("minigap-" + t, b"\x00" + patch + b"\x00" + read(os.path.join(mg, t)))


def apply_input(flags, files, patches):
    parts = []
    for rel, (data, mode) in sorted(files.items()):
        kind = b"X" if mode & stat.S_IXUSR else b"F"
        parts.append(kind + b" " + rel.encode() + b"\n" + data)
    for data, strip in patches:
        parts.append(b"P" + str(strip).encode() + b"\n" + data)
    return bytes([flags]) + b"\x00".join(parts)


def seeds_apply(w, tests, repo):
    base = os.path.join(tests, "fixtures", "e2e", "base")
    for case in e2e_cases(tests):
        order = series_order(os.path.join(case, "patches"))
        patches = [(read(os.path.join(case, "patches", n)), s) for n, s in order]
        if not patches or any(b"\x00" in p for p, _ in patches):
            continue
        files = tree_files(base, os.path.join(case, "tree"))
        if any(b"\x00" in d for d, _ in files.values()):
            continue
        w.put(os.path.basename(case), apply_input(0, files, patches))
        # the same with the patches inside the tree, and after a dry run
        w.put(os.path.basename(case) + "-inside", apply_input(0x20, files, patches))
        w.put(os.path.basename(case) + "-dry-run", apply_input(0x40, files, patches))
    mg = os.path.join(tests, "fixtures", "minigap")
    mp = os.path.join(tests, "fixtures", "minigap-patches")
    if os.path.isdir(mp):
        order = series_order(mp)
        patches = [(read(os.path.join(mp, n)), s) for n, s in order]
        all_files = tree_files(mg)
        need = {t for p, s in patches for t in touched(p, s)}
        files = {k: v for k, v in all_files.items() if k in need}
        w.put("minigap", apply_input(PLATFORMS.index("cygwin"), files, patches))


def main():
    target, tests, out = sys.argv[1], sys.argv[2], sys.argv[3]
    repo = os.path.dirname(os.path.abspath(tests))
    if os.path.isdir(out):
        shutil.rmtree(out)
    w = Writer(out)
    {"patch": seeds_patch, "series": seeds_series, "place": seeds_place,
     "apply": seeds_apply}[target](w, tests, repo)
    own = os.path.join(os.path.dirname(os.path.abspath(__file__)), "seeds", target)
    if os.path.isdir(own):
        for n in sorted(os.listdir(own)):
            shutil.copy(os.path.join(own, n), os.path.join(out, "own-" + n))
            w.n += 1
    print("%s: %d seeds in %s" % (target, w.n, out))


if __name__ == "__main__":
    main()
