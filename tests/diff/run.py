#!/usr/bin/env python3
"""Differential test: applypatch against GNU patch on generated cases (gen.py).

Each case's patch is applied by GNU patch (-p1 -F0 -N, no backups, batch
mode) in a copy of its target tree, and by applypatch (--platform linux) in
another. Where GNU patch neither fuzzes nor detects a reversed or previously
applied patch, the two must agree on success or failure and, on success,
leave byte-identical files (empty directories do not count). Prints

    differential: N passed, M failed (K skipped: fuzz/reversed)

and exits 1 when a case failed (2 when the harness itself broke).

By default applypatch runs twice for each batch of cases, which is much
faster than once a case and equivalent here, because every case lives in its
own top-level directory and patches in a series are applied one by one: a
--dry-run over a series of the batch's cases gives each patch's fate, then a
real run over the ones that apply writes them. --one-by-one runs a one-patch series
per case instead.
"""
import argparse
import concurrent.futures
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # no __pycache__ in the checkout
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen  # noqa: E402

GNU_SKIP = ("fuzz", "Reversed", "previously applied")


def files_under(root):
    """{relative path: bytes} for every regular file (and link) under root."""
    out = {}
    for d, dirs, files in os.walk(root):
        dirs[:] = [x for x in dirs if x != ".applypatch"]
        for f in files:
            full = os.path.join(d, f)
            rel = os.path.relpath(full, root)
            if os.path.islink(full):
                out[rel] = b"link:" + os.readlink(full).encode()
            else:
                with open(full, "rb") as fh:
                    out[rel] = fh.read()
    return out


def gnu_patch(case, workdir):
    """Applies the case's patch with GNU patch in workdir/gnu/NAME; returns
    (exit status, output, files of the case's directory afterwards)."""
    root = os.path.join(workdir, "gnu", case["name"])
    gen.write_tree(root, case["target"])
    pfile = os.path.join(workdir, "gnu", case["name"] + ".patch")
    with open(pfile, "wb") as f:
        f.write(case["patch"])
    r = subprocess.run(["patch", "-p1", "-F0", "--no-backup-if-mismatch", "-N", "--batch",
                        "--reject-file=-", "-d", root, "-i", pfile],
                       stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    return r.returncode, r.stdout.decode(errors="replace"), files_under(os.path.join(root, case["name"]))


def applypatch(ap, tree, pdir, names, dry_run):
    """Runs applypatch on a series of the given patch names; returns (exit
    status, parsed JSON report or None, stderr)."""
    with open(os.path.join(pdir, "series"), "w") as f:
        f.write("".join(n + ".patch\n" for n in names))
    cmd = [ap, "apply", "-d", tree, "--patches", pdir, "-P", "linux", "-f", "json"] + (["-n"] if dry_run else [])
    r = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        report = json.loads(r.stdout)
    except ValueError:
        report = None
    return r.returncode, report, r.stderr.decode(errors="replace")


def run_applypatch_batch(ap, cases, workdir):
    """Returns {name: (ok, reason, files)} for every case."""
    tree = os.path.join(workdir, "ap", "tree")
    pdir = os.path.join(workdir, "ap", "patches")
    os.makedirs(pdir, exist_ok=True)
    for c in cases:
        gen.write_tree(tree, c["target"])
        os.makedirs(os.path.join(tree, c["name"]), exist_ok=True)
        with open(os.path.join(pdir, c["name"] + ".patch"), "wb") as f:
            f.write(c["patch"])
    names = [c["name"] for c in cases]
    rc, report, err = applypatch(ap, tree, pdir, names, True)
    if rc not in (0, 1) or report is None or len(report.get("patches", [])) != len(names):
        raise RuntimeError("applypatch --dry-run over all cases: exit %d: %s" % (rc, err.strip()))
    fate = {p["name"][:-len(".patch")]: p for p in report["patches"]}
    good = [n for n in names if fate[n]["status"] in ("applied", "already-applied")]
    if good:
        rc, report, err = applypatch(ap, tree, pdir, good, False)
        if rc != 0:
            raise RuntimeError("applypatch over the %d cases its dry run passed: exit %d: %s"
                               % (len(good), rc, err.strip() or (report or {}).get("note")))
    out = {}
    for n in names:
        ok = n in good
        out[n] = (ok, fate[n].get("reason"), files_under(os.path.join(tree, n)) if ok else None)
    return out


def run_applypatch_one(ap, case, workdir):
    tree = os.path.join(workdir, "ap1", case["name"], "tree")
    pdir = os.path.join(workdir, "ap1", case["name"], "patches")
    gen.write_tree(tree, case["target"])
    os.makedirs(pdir, exist_ok=True)
    with open(os.path.join(pdir, case["name"] + ".patch"), "wb") as f:
        f.write(case["patch"])
    rc, report, err = applypatch(ap, tree, pdir, [case["name"]], False)
    if rc not in (0, 1) or report is None:
        return False, "exit %d: %s" % (rc, err.strip()), None, rc
    p = report["patches"][0]
    return rc == 0, p.get("reason"), files_under(os.path.join(tree, case["name"])) if rc == 0 else None, rc


def describe(c):
    return "%s (%s; %s; target %s%s%s%s%s)" % (
        c["name"], c["tool"], ",".join(c["ops"]), ",".join(c["kinds"]),
        "; no final newline somewhere" if c["noeol"] else "",
        " (a last line ending in \\r)" if c.get("creol") else "",
        "; repeated lines" if c["repeats"] else "",
        "; deletes lines that begin like its trailing context" if c.get("selfsim") else "")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--applypatch", default=os.path.join(os.environ.get("BIN_DIR", "build/bin"), "applypatch"))
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--cases", type=int, default=1000)
    ap.add_argument("--first", type=int, default=0)
    ap.add_argument("--work", help="work directory (kept); default a temporary one, removed")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2, help="GNU patch runs in parallel")
    ap.add_argument("--one-by-one", action="store_true", help="one applypatch run per case")
    ap.add_argument("--batch", type=int, default=100, help="cases per applypatch run (default 100)")
    ap.add_argument("--keep-failures", metavar="DIR", help="copy each failing case's patch and trees here")
    ap.add_argument("-v", "--verbose", action="store_true")
    a = ap.parse_args()

    # Thousands of small files: on a busy disk deleting them takes longer
    # than the test, so prefer a tmpfs when TMPDIR does not say otherwise.
    shm = "/dev/shm" if not os.environ.get("TMPDIR") and os.access("/dev/shm", os.W_OK) else None
    work = a.work or tempfile.mkdtemp(prefix="applypatch-diff.", dir=shm)
    started = time.time()
    try:
        cases = gen.build(gen.Gen(a.seed), range(a.first, a.first + a.cases), os.path.join(work, "src"))
        with concurrent.futures.ThreadPoolExecutor(max(1, a.jobs)) as pool:
            gnu = dict(zip((c["name"] for c in cases), pool.map(lambda c: gnu_patch(c, work), cases)))
            if a.one_by_one:
                ones = list(pool.map(lambda c: run_applypatch_one(a.applypatch, c, work), cases))
                apr = {c["name"]: r[:3] for c, r in zip(cases, ones)}
                broken = [(c, r) for c, r in zip(cases, ones) if r[3] not in (0, 1)]
            else:
                # BUG: batches are kept small because applypatch loses files
                # when one run touches more than 512 directories (its dir-fd
                # cache; see test_apply_large.sh). One batch would do otherwise.
                apr, broken = {}, []
                for k in range(0, len(cases), a.batch):
                    apr.update(run_applypatch_batch(a.applypatch, cases[k:k + a.batch],
                                                    os.path.join(work, "batch%d" % k)))
        passed = failed = skipped = agree_ok = agree_fail = expected_ok = 0
        mix = dict.fromkeys(["diff", "git", "offset", "conflict", "create", "delete", "noeol", "creol",
                             "elsewhere", "selfsim", "repeats"], 0)
        for c in cases:
            mix[c["tool"]] += 1
            mix["offset"] += any(k in ("above", "below", "both", "between", "elsewhere") for k in c["kinds"])
            mix["elsewhere"] += "elsewhere" in c["kinds"]
            mix["creol"] += c["creol"]
            mix["conflict"] += "conflict" in c["kinds"]
            mix["create"] += "create" in c["ops"]
            mix["delete"] += "delete" in c["ops"]
            mix["noeol"] += c["noeol"]
            mix["repeats"] += c["repeats"]
            mix["selfsim"] += bool(c["selfsim"])
            grc, gout, gfiles = gnu[c["name"]]
            ok, reason, afiles = apr[c["name"]]
            problem = None
            if any(s in gout for s in GNU_SKIP):
                skipped += 1
                if a.verbose:
                    print("SKIP %s: GNU patch: %s; applypatch %s" % (
                        describe(c), " / ".join(l for l in gout.splitlines() if any(s in l for s in GNU_SKIP)),
                        "applied it" if ok else "refused it: %s" % reason))
                continue
            if grc not in (0, 1):
                problem = "GNU patch exit %d" % grc
            elif (grc == 0) != ok:
                problem = "GNU patch %s, applypatch %s" % ("succeeded" if grc == 0 else "failed",
                                                            "succeeded" if ok else "failed: %s" % reason)
            elif ok and gfiles != afiles:
                differ = sorted(p for p in set(gfiles) | set(afiles) if gfiles.get(p) != afiles.get(p))
                problem = "both succeeded but the files differ: %s" % ", ".join(differ)
            if problem:
                failed += 1
                print("FAIL %s: %s" % (describe(c), problem))
                if a.verbose:
                    print("    GNU patch: " + gout.strip().replace("\n", "\n    GNU patch: "))
                if a.keep_failures:
                    d = os.path.join(a.keep_failures, c["name"])
                    gen.write_tree(os.path.join(d, "target"), c["target"])
                    if c["expect"] is not None:
                        gen.write_tree(os.path.join(d, "expect"), c["expect"])
                    with open(d + ".patch", "wb") as f:
                        f.write(c["patch"])
                continue
            passed += 1
            if ok:
                agree_ok += 1
                want = {p[len(c["name"]) + 1:]: t.data() for p, t in (c["expect"] or {}).items() if t is not None}
                if c["expect"] is not None and afiles == want:
                    expected_ok += 1
            else:
                agree_fail += 1
        for c, r in broken:
            print("BROKEN %s: applypatch %s" % (describe(c), r[1]))
        print("differential: %d passed, %d failed (%d skipped: fuzz/reversed)" % (passed, failed, skipped))
        print("  of the passed: %d applied by both (%d as the generator expected), %d refused by both; "
              "seed %d, cases %d-%d, %.1f s" % (agree_ok, expected_ok, agree_fail, a.seed, a.first,
                                                a.first + a.cases - 1, time.time() - started))
        print("  cases: " + ", ".join("%s %d" % kv for kv in mix.items()))
        return 1 if failed or broken else 0
    except (RuntimeError, OSError) as e:
        print("differential: harness error: %s" % e)
        return 2
    finally:
        if not a.work:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
