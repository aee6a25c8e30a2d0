#!/usr/bin/env python3
"""Writes a tree and a patch series over it, for the fault and kill tests.

make-series.py DIR FILES PATCHES [SEED]
  DIR/orig     the tree before (FILES text files in nested directories, one
               executable script)
  DIR/patched  the tree after the whole series, as `diff` made it
  DIR/patches  series + NNNN.patch (diff -Naur between successive stages):
               edits spread over files, a file created in a new directory,
               a file deleted, consecutive patches touching the same files.
"""
import os
import random
import shutil
import subprocess
import sys


def words(rng, n):
    return " ".join(rng.choice(VOCAB) for _ in range(n))


def main():
    out, nfiles, npatches = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    seed = int(sys.argv[4]) if len(sys.argv) > 4 else 1
    rng = random.Random(seed)
    global VOCAB
    VOCAB = ["w%d" % i for i in range(5000)]
    stage = os.path.join(out, "stage")
    os.makedirs(stage)
    files = []
    for i in range(nfiles):
        d = "src/d%d/e%d" % (i % 7, i % 3)
        path = os.path.join(d, "f%d.c" % i)
        os.makedirs(os.path.join(stage, d), exist_ok=True)
        with open(os.path.join(stage, path), "w") as f:
            for k in range(40 + rng.randrange(40)):
                f.write("line %d %s\n" % (k, words(rng, 6)))
        files.append(path)
    with open(os.path.join(stage, "run.sh"), "w") as f:
        f.write("#!/bin/sh\necho run\n")
    os.chmod(os.path.join(stage, "run.sh"), 0o755)
    with open(os.path.join(stage, "gone.txt"), "w") as f:
        f.write("this file is deleted by the series\n")
    shutil.copytree(stage, os.path.join(out, "orig"), symlinks=True)
    pdir = os.path.join(out, "patches")
    os.makedirs(pdir)
    series = []
    for p in range(npatches):
        before = os.path.join(out, "before")
        if os.path.exists(before):
            shutil.rmtree(before)
        shutil.copytree(stage, before, symlinks=True)
        touched = rng.sample(files, min(len(files), 1 + rng.randrange(4)))
        if p > 0 and rng.random() < 0.5:
            touched.append(files[(p * 7) % len(files)])  # keep revisiting some files
        for path in set(touched):
            full = os.path.join(stage, path)
            with open(full) as f:
                lines = f.readlines()
            k = rng.randrange(len(lines))
            lines[k:k + rng.randrange(3)] = ["edit %d %s\n" % (p, words(rng, 5))
                                               for _ in range(1 + rng.randrange(3))]
            with open(full, "w") as f:
                f.writelines(lines)
        if p == 0:
            os.makedirs(os.path.join(stage, "new/dir"))
            with open(os.path.join(stage, "new/dir/created.c"), "w") as f:
                f.write("created by the first patch\n")
        if p == npatches - 1:
            os.unlink(os.path.join(stage, "gone.txt"))
            with open(os.path.join(stage, "run.sh"), "a") as f:
                f.write("echo changed\n")
        name = "%04d.patch" % p
        with open(os.path.join(pdir, name), "w") as f:
            f.write("Description: generated change %d\nForwarded: not-needed, test data\n---\n" % p)
            f.flush()
            r = subprocess.run(["diff", "-Naur", "before", "stage"], cwd=out, stdout=f)
            if r.returncode not in (0, 1):
                sys.exit("diff failed")
        series.append(name)
    shutil.rmtree(os.path.join(out, "before"))
    os.rename(stage, os.path.join(out, "patched"))
    with open(os.path.join(pdir, "series"), "w") as f:
        f.write("".join(s + "\n" for s in series))


if __name__ == "__main__":
    main()
