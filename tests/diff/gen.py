#!/usr/bin/env python3
"""Generates random patch cases for the differential test against GNU patch.

A case is a small tree of text files, the same tree after random edits, a
patch between the two made by `diff -u` or `git diff --no-index` (alternating),
and the tree the patch is applied to: the original, often perturbed above,
below or between the changed regions (so hunks need offsets), sometimes
perturbed inside a hunk (so the patch must fail). Lines come from a large
random vocabulary, so a line rarely occurs twice and every hunk has one
right place, except in a share of cases made partly of lines every C file
repeats ("}", "", "return 0;"), where contexts may match in several places. Files may lack a final newline (some of
those end in "\r", shape "creol"); some are created or deleted. In some
cases ("elsewhere") a copy of a hunk's post-image is put into the tree
away from the hunk, its pre-image left in place: the hunk must still
apply, at an offset. In others ("selfsim") a file's edit deletes lines that
begin like the three lines after them (X D X -> X); its hunk is written
from the edit (X D deleted, the second X as trailing context), as tools
that do not slide a deletion down write it (bench/gen-series, difflib),
so the hunk's post-image is the start of its own pre-image.

Everything is a function of (seed, index): the same seed gives the same
cases, byte for byte (file times are pinned before diff runs).

    python3 gen.py --seed 7 --cases 20 --out DIR   writes the cases to look at

run.py applies them with GNU patch and applypatch and compares.
"""
import argparse
import difflib
import os
import random
import subprocess

CONTEXT = 3  # diff -u and git diff both default to three lines of context
PINNED_TIME = 1714564800  # 2024-05-01 12:00:00 UTC, so diff -u headers repeat


class Text:
    """A file's lines (without their newlines) and whether the last ends in one."""

    def __init__(self, lines, eol=True):
        self.lines = list(lines)
        self.eol = eol

    def data(self):
        if not self.lines:
            return b""
        return ("\n".join(self.lines) + ("\n" if self.eol else "")).encode()


def vocabulary(rng, size=6000):
    letters = "abcdefghijklmnopqrstuvwxyz"
    words = set()
    while len(words) < size:
        words.add("".join(rng.choice(letters) for _ in range(rng.randint(3, 10))))
    return sorted(words)


class Gen:
    def __init__(self, seed):
        self.seed = seed
        self.vocab = vocabulary(random.Random(seed))
        self.repeats = False

    # Lines every C file repeats. In a share of the cases ("repeats") files
    # are made partly of these, so contexts can match in several places and
    # the tools' tie-breaking (nearest first, forward first) is compared too.
    COMMON = ["", "}", "{", "\treturn 0;", "\t}", "#endif", "\tbreak;"]

    def line(self, rng):
        if self.repeats and rng.random() < 0.25:
            return rng.choice(self.COMMON)
        indent = rng.choice(["", "", "\t", "    ", "\t\t"])
        return indent + " ".join(rng.choice(self.vocab) for _ in range(rng.randint(2, 7)))

    def lines(self, rng, n):
        return [self.line(rng) for _ in range(n)]

    def edit(self, rng, lines):
        """Random insertions, deletions and replacements; never a no-op."""
        out = list(lines)
        for _ in range(rng.randint(1, 4)):
            op = rng.choice(["insert", "delete", "replace", "replace"])
            if op == "insert" or not out:
                p = rng.randint(0, len(out))
                out[p:p] = self.lines(rng, rng.randint(1, 4))
            elif op == "delete":
                p = rng.randrange(len(out))
                del out[p:p + rng.randint(1, 3)]
            else:
                p = rng.randrange(len(out))
                out[p:p + rng.randint(1, 3)] = self.lines(rng, rng.randint(1, 3))
        if out == lines:
            out.insert(rng.randint(0, len(out)), self.line(rng))
        return out

    @staticmethod
    def cr_at_eof(rng, text):
        """Now and then a last line without "\\n" ends in "\\r" (the patch then
        has "+line\\r" or " line\\r" before "\\ No newline at end of file")."""
        if not text.eol and text.lines and rng.random() < 0.4:
            text.lines[-1] += "\r"
        return text

    def case(self, index):
        """One case: its random source (perturb draws from it next), a dict of
        path -> (orig Text|None, new Text|None), and which tool diffs it."""
        rng = random.Random(self.seed * 1000003 + index)
        # its own stream, so that adding the shape changed no other case
        srng = random.Random(self.seed * 1000003 + index + 0x5E1F5)
        self.repeats = rng.random() < 0.15
        self.selfsim = False
        files = {}
        for k in range(rng.choice([1, 1, 1, 2, 2, 3])):
            depth = rng.choice([0, 1, 1, 2])
            path = "/".join(["d%d" % rng.randint(0, 3) for _ in range(depth)] + ["f%d.txt" % k])
            kind = rng.choices(["modify", "create", "delete"], [86, 7, 7])[0]
            orig = self.cr_at_eof(rng, Text(self.lines(rng, rng.randint(1, 70)), rng.random() > 0.12))
            if kind == "create":
                files[path] = (None, self.cr_at_eof(
                    rng, Text(self.lines(rng, rng.randint(1, 20)), rng.random() > 0.12)))
            elif kind == "delete":
                files[path] = (orig, None)
            else:
                new = Text(self.edit(rng, orig.lines), orig.eol)
                r = rng.random()
                if r < 0.06:
                    new.eol = not orig.eol  # the final newline added or removed
                if not self.selfsim and srng.random() < 0.06:
                    new = self.self_similar(srng, orig)
                    self.selfsim = True
                files[path] = (orig, new)
        tool = "diff" if index % 2 == 0 else "git"
        return rng, files, tool

    def self_similar(self, rng, orig):
        """Makes orig ... X D X ... and returns new ... X ...: the deletion of
        X D, whose first lines are the trailing context X. The returned Text
        carries .ops, the edit as difflib opcodes, which perturb and the
        hand-written hunks use (diff -u and git diff would delete D X)."""
        x = (["\t\t}", "\t}", "}"] if rng.random() < 0.5 else self.lines(rng, CONTEXT))
        d = self.lines(rng, rng.randint(1, 6))
        p = rng.randint(0, len(orig.lines))
        lines = orig.lines[:p] + x + d + x + orig.lines[p:]
        orig.lines[:] = lines
        k = len(x) + len(d)
        new = Text(lines[:p] + lines[p + k:], orig.eol)
        new.ops = ([("equal", 0, p, 0, p)] if p else []) + [
            ("delete", p, p + k, p, p), ("equal", p + k, len(lines), p, len(lines) - k)]
        return new

    def perturb(self, rng, orig, new):
        """Returns (target, expect, kind): target is orig changed away from the
        hunks (or, for kind 'conflict', inside one); expect is new with the
        same change when the patch should still apply, else None."""
        ops = getattr(new, "ops", None) or difflib.SequenceMatcher(
            None, orig.lines, new.lines, autojunk=False).get_opcodes()
        covered = set()
        for tag, i1, i2, _, _ in ops:
            if tag != "equal":
                covered.update(range(i1 - CONTEXT, max(i2, i1 + 1) + CONTEXT))
        n = len(orig.lines)
        if orig.eol != new.eol:
            # difflib compares lines, not newlines: the last line changes too
            covered.update(range(n - 1 - CONTEXT, n + CONTEXT))
        kind = rng.choices(["none", "above", "below", "both", "between", "conflict", "elsewhere"],
                           [30, 28, 10, 10, 6, 10, 6])[0]

        def new_index(p):
            """Where orig's line p (outside every hunk) sits in new."""
            for tag, i1, i2, j1, j2 in ops:
                if tag == "equal" and i1 <= p <= i2:
                    return j1 + (p - i1)
            raise AssertionError("line %d is not in an unchanged stretch" % p)

        # Insertion points between two uncovered lines, never after the last
        # line (that would change whether the old last line ends in a newline).
        first_hunk = min(covered) if covered else n
        last_hunk = max(covered) if covered else -1
        slots = {"above": [p for p in range(0, n) if p < first_hunk],
                 "below": [p for p in range(1, n) if p - 1 > last_hunk],
                 "between": [p for p in range(1, n) if first_hunk < p - 1 and p < last_hunk and
                             p - 1 not in covered and p not in covered]}
        edits = []  # (orig index, lines to insert, how many to delete)
        if kind == "elsewhere":
            # a hunk's post-image (with its context) also stands elsewhere in
            # the tree, its pre-image still in place: the hunk must apply
            # where the pre-image is (GNU patch applies it at an offset)
            changed = [(j1, j2) for tag, _, _, j1, j2 in ops if tag != "equal"]
            where = [w for w in ("above", "below") if slots[w]]
            if not changed or not where:
                return Text(orig.lines, orig.eol), Text(new.lines, new.eol), "none"
            j1, j2 = rng.choice(changed)
            block = new.lines[max(j1 - CONTEXT, 0):j2 + CONTEXT]
            if not block or (j2 + CONTEXT >= len(new.lines) and not new.eol):
                # the file's unterminated last line cannot be copied mid-file
                return Text(orig.lines, orig.eol), Text(new.lines, new.eol), "none"
            edits.append((rng.choice(slots[rng.choice(where)]), list(block), 0))
        for where in {"above": ["above"], "below": ["below"], "both": ["above", "below"],
                      "between": ["between"]}.get(kind, []):
            if not slots[where]:
                continue
            p = rng.choice(slots[where])
            deletable = 0
            while (p + deletable < n - 1 and p + deletable not in covered and
                   (where != "above" or p + deletable < first_hunk) and deletable < 5):
                deletable += 1
            if deletable and rng.random() < 0.3:
                edits.append((p, [], rng.randint(1, deletable)))
            else:
                edits.append((p, self.lines(rng, rng.randint(1, 25)), 0))
        target, expect = list(orig.lines), list(new.lines)
        if kind == "conflict":
            changed = sorted(i for tag, i1, i2, _, _ in ops if tag in ("replace", "delete")
                             for i in range(i1, i2))
            if not changed:
                return Text(target, orig.eol), Text(expect, new.eol), "none"
            p = rng.choice(changed)
            target[p] = self.line(rng) + " (changed in the tree)"
            return Text(target, orig.eol), None, kind
        if not edits:
            return Text(target, orig.eol), Text(expect, new.eol), "none"
        for p, ins, dele in sorted(edits, reverse=True):
            q = new_index(p)
            target[p:p + dele] = ins
            expect[q:q + dele] = ins
        return Text(target, orig.eol), Text(expect, new.eol), kind


def write_tree(root, files):
    """files: path -> Text or None (absent). Creates root even when empty."""
    os.makedirs(root, exist_ok=True)
    for path, text in files.items():
        if text is None:
            continue
        full = os.path.join(root, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "wb") as f:
            f.write(text.data())
        os.utime(full, (PINNED_TIME, PINNED_TIME))


def case_name(index):
    return "c%05d" % index


def build_case(gen, index, src):
    """Writes case `index` as src/orig/cNNNNN and src/new/cNNNNN (for the
    diff) and returns its description: the tree to patch, the tree expected
    after a correct apply (None when a hunk was made to conflict), and what
    was generated."""
    rng, files, tool = gen.case(index)
    name = case_name(index)
    target, expect, kinds, ops = {}, {}, [], []
    for path in sorted(files):
        orig, new = files[path]
        if orig is not None and new is not None:
            t, e, k = gen.perturb(rng, orig, new)
            ops.append("modify")
        else:
            t, e, k = orig, new, "none"
            ops.append("create" if orig is None else "delete")
        target[name + "/" + path], expect[name + "/" + path] = t, e
        kinds.append(k)
    write_tree(os.path.join(src, "orig", name), {p: files[p][0] for p in files})
    write_tree(os.path.join(src, "new", name), {p: files[p][1] for p in files})
    should_apply = "conflict" not in kinds
    return {"index": index, "name": name, "tool": tool, "ops": ops, "kinds": kinds,
            "repeats": gen.repeats,
            "selfsim": {name + "/" + p: files[p] for p in files
                        if files[p][1] is not None and hasattr(files[p][1], "ops")},
            "target": target, "expect": expect if should_apply else None,
            "noeol": any(t is not None and not t.eol for pair in files.values() for t in pair),
            "creol": any(t is not None and not t.eol and t.lines and t.lines[-1].endswith("\r")
                         for pair in files.values() for t in pair)}


def unified_range(start, length):
    """A hunk header's range, as diff -u writes it."""
    if length == 1:
        return "%d" % (start + 1)
    if length == 0:
        return "%d,0" % start
    return "%d,%d" % (start + 1, length)


def hunks_from_ops(orig, new):
    """The unified hunks of new.ops (not of a diff tool's own alignment)."""
    sm = difflib.SequenceMatcher(None, orig.lines, new.lines, autojunk=False)
    sm.opcodes = new.ops  # get_grouped_opcodes groups these
    out = []

    def line(mark, text, last_without_newline):
        out.append(mark + text + "\n")
        if last_without_newline:
            out.append("\\ No newline at end of file\n")

    for group in sm.get_grouped_opcodes(CONTEXT):
        i1, i2, j1, j2 = group[0][1], group[-1][2], group[0][3], group[-1][4]
        out.append("@@ -%s +%s @@\n" % (unified_range(i1, i2 - i1), unified_range(j1, j2 - j1)))
        for tag, a1, a2, b1, b2 in group:
            if tag == "equal":
                for i in range(a1, a2):
                    line(" ", orig.lines[i], i == len(orig.lines) - 1 and not orig.eol)
                continue
            for i in range(a1, a2):
                line("-", orig.lines[i], i == len(orig.lines) - 1 and not orig.eol)
            for j in range(b1, b2):
                line("+", new.lines[j], j == len(new.lines) - 1 and not new.eol)
    return "".join(out).encode()


def rewrite_hunks(patch, path, orig, new):
    """patch with the hunks of path's file diff replaced by hunks_from_ops."""
    out, mine, body = [], False, False
    for line in patch.splitlines(keepends=True):
        if line.startswith(b"diff "):
            if mine:
                out.append(hunks_from_ops(orig, new))
            mine = line.rstrip(b"\n").endswith(b"new/" + path.encode())
            body = False
        elif mine and (body or line.startswith(b"@@")):
            body = True  # the tool's hunks, up to the next file's header
            continue
        out.append(line)
    if mine:
        out.append(hunks_from_ops(orig, new))
    return b"".join(out)


def diff_trees(src, tool):
    """One `diff -ruN orig new` or `git diff --no-index orig new` over every
    case in src; returns {case name: patch bytes}, split at the file headers
    (the second path component is the case's name)."""
    if tool == "git":
        cmd = ["git", "-c", "core.quotepath=off", "diff", "--no-index", "--no-prefix", "--no-color",
               "--no-renames", "--no-ext-diff", "orig", "new"]
    else:
        cmd = ["diff", "-ruN", "orig", "new"]
    env = dict(os.environ, TZ="UTC", LC_ALL="C", GIT_CONFIG_NOSYSTEM="1", HOME=src)
    r = subprocess.run(cmd, cwd=src, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    if r.returncode not in (0, 1):
        raise RuntimeError("%s failed (%d): %s" % (" ".join(cmd), r.returncode, r.stderr.decode()))
    patches, current = {}, None
    for line in r.stdout.splitlines(keepends=True):
        if line.startswith(b"diff "):
            words = line.split()
            current = words[-1].split(b"/")[1].decode()
        if current is None:
            raise RuntimeError("%s: output before the first file header" % " ".join(cmd))
        patches[current] = patches.get(current, b"") + line
    return patches


def build(gen, indices, workdir):
    """Generates the cases, diffs them (diff -u for even indices, git diff for
    odd ones) and returns their descriptions with d["patch"] set."""
    cases = []
    for i in indices:
        c = build_case(gen, i, os.path.join(workdir, "src-" + ("git" if i % 2 else "diff")))
        cases.append(c)
    patches = {}
    for tool in ("diff", "git"):
        if any(c["tool"] == tool for c in cases):
            patches.update(diff_trees(os.path.join(workdir, "src-" + tool), tool))
    for c in cases:
        c["patch"] = patches.get(c["name"], b"")
        for path, (orig, new) in c["selfsim"].items():
            c["patch"] = rewrite_hunks(c["patch"], path, orig, new)
        if not c["patch"]:
            raise RuntimeError("%s: the diff is empty" % c["name"])
    return cases


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--cases", type=int, default=10)
    ap.add_argument("--first", type=int, default=0, help="index of the first case")
    ap.add_argument("--out", required=True, help="writes OUT/cNNNNN.patch and OUT/cNNNNN/{target,expect}/")
    a = ap.parse_args()
    cases = build(Gen(a.seed), range(a.first, a.first + a.cases), os.path.join(a.out, "src"))
    for c in cases:
        with open(os.path.join(a.out, c["name"] + ".patch"), "wb") as f:
            f.write(c["patch"])
        write_tree(os.path.join(a.out, c["name"], "target"), c["target"])
        if c["expect"] is not None:
            write_tree(os.path.join(a.out, c["name"], "expect"), c["expect"])
        print("%s %s %s %s" % (c["name"], c["tool"], ",".join(c["ops"]), ",".join(c["kinds"])))


if __name__ == "__main__":
    main()
