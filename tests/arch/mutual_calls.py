#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Fail when two source files of one library call each other (issue 9, section 4).

Usage: mutual_calls.py MANIFEST ALLOWLIST

MANIFEST has one line per C source, "<library label> <path>" (written by
tools/arch.bzl from every cc_library that //cli:vitk links).  For each
library the script builds a table of the functions each file defines without
`static`, collects the identifiers each file uses (in function bodies and in
initialisers, so function pointers in tables count as uses), and reports
every pair of files in which each uses a function defined in the other.

ALLOWLIST names known cycles still being removed, one pair of file basenames
per line ("device.c sbc.c").  A listed pair that is no longer a cycle is an
error too, so the list can only shrink; delete its line.

This is a tokenizer, not a C parser.  It strips comments, string and
character literals and preprocessor lines, then tracks braces: a `{` at file
level right after a `)` opens a function definition, named by the identifier
before the matching `(`.  Member names (after `.` or `->`) are not uses, and
a file's own definitions and file-level `static` names shadow other files'.
"""

import collections
import os
import re
import sys

TOKEN = re.compile(r"[A-Za-z_]\w*|->|\S")
KEYWORDS = frozenset(
    "auto break case char const continue default do double else enum extern float for goto if "
    "inline int long register restrict return short signed sizeof static struct switch typedef "
    "union unsigned void volatile while _Bool _Static_assert _Alignof _Noreturn bool "
    "__attribute__ __typeof__ typeof".split())


def strip_source(text):
    """Remove comments, literals and preprocessor lines; keep line structure."""
    out = []
    i, n = 0, len(text)
    at_line_start = True
    while i < n:
        c = text[i]
        if at_line_start and c == "#":
            # preprocessor directive, with backslash continuations
            while i < n and text[i] != "\n":
                if text[i] == "\\" and i + 1 < n and text[i + 1] == "\n":
                    i += 1
                i += 1
            continue
        if c == "/" and text.startswith("/*", i):
            end = text.find("*/", i + 2)
            end = n if end < 0 else end + 2
            out.append("\n" * text.count("\n", i, end) or " ")
            i = end
            continue
        if c == "/" and text.startswith("//", i):
            while i < n and text[i] != "\n":
                i += 1
            continue
        if c in "\"'":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            out.append(" 0 ")
            i = j + 1
            continue
        if c == "\n":
            at_line_start = True
        elif not c.isspace():
            at_line_start = False
        out.append(c)
        i += 1
    return "".join(out)


def is_ident(tok):
    return tok[0].isalpha() or tok[0] == "_"


class CFile:
    def __init__(self, path, text):
        self.path = path
        self.exported = set()  # non-static function definitions
        self.local = set()     # names that shadow other files' functions
        self.uses = set()      # identifiers used in bodies and initialisers
        self._scan(TOKEN.findall(strip_source(text)))

    def _scan(self, toks):
        depth = 0          # brace depth
        stmt = []          # file-level tokens since the last ';' or '}'
        region = None      # what the current depth-1 block is: 'func', 'init' or 'type'
        i = 0
        while i < len(toks):
            t = toks[i]
            if depth == 0:
                if t == "{":
                    region = self._open_block(stmt)
                    depth = 1
                    stmt.append(t)
                elif t == ";":
                    self._file_statement(stmt)
                    stmt = []
                else:
                    stmt.append(t)
            else:
                if t == "{":
                    depth += 1
                elif t == "}":
                    depth -= 1
                    if depth == 0:
                        if region == "func":
                            stmt = []
                        region = None
                elif region in ("func", "init") and is_ident(t) and t not in KEYWORDS:
                    prev = toks[i - 1] if i else ""
                    if prev not in (".", "->"):
                        self.uses.add(t)
            i += 1

    def _open_block(self, stmt):
        if stmt and stmt[-1] == ")" and "=" not in stmt:
            name = self._declarator_name(stmt)
            if name:
                if "static" in stmt:
                    self.local.add(name)
                else:
                    self.exported.add(name)
                return "func"
        if "=" in stmt:
            return "init"
        return "type"

    @staticmethod
    def _declarator_name(stmt):
        """The identifier before the '(' matching the final ')'."""
        level = 0
        for k in range(len(stmt) - 1, -1, -1):
            if stmt[k] == ")":
                level += 1
            elif stmt[k] == "(":
                level -= 1
                if level == 0:
                    if k and is_ident(stmt[k - 1]) and stmt[k - 1] not in KEYWORDS:
                        return stmt[k - 1]
                    return None
        return None

    def _file_statement(self, stmt):
        """A file-level declaration ending in ';' (prototype, variable, typedef)."""
        if not stmt:
            return
        if "=" in stmt:
            eq = stmt.index("=")
            for k in range(eq + 1, len(stmt)):
                tok = stmt[k]
                if is_ident(tok) and tok not in KEYWORDS and stmt[k - 1] not in (".", "->"):
                    self.uses.add(tok)
            head = stmt[:eq]
        else:
            head = stmt
        if "static" in head:
            # static prototypes and variables shadow other files' names
            idents = [t for t in head if is_ident(t) and t not in KEYWORDS]
            if idents:
                name = self._declarator_name(head) if head and head[-1] == ")" else idents[-1]
                if name:
                    self.local.add(name)


def library_cycles(files):
    """[(a, b, names a uses from b, names b uses from a)] for one library."""
    owner = {}
    for f in files:
        for name in f.exported:
            owner.setdefault(name, f)
    uses = collections.defaultdict(lambda: collections.defaultdict(set))
    for f in files:
        for name in f.uses - f.exported - f.local:
            g = owner.get(name)
            if g is not None and g is not f:
                uses[f.path][g.path].add(name)
    cycles = []
    for a in sorted(uses):
        for b in sorted(uses[a]):
            if a < b and a in uses.get(b, {}):
                cycles.append((a, b, sorted(uses[a][b]), sorted(uses[b][a])))
    return cycles


def read_allowlist(path):
    pairs = {}
    with open(path, encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            words = line.split()
            if len(words) != 2:
                sys.exit("%s:%d: expected two file names" % (path, lineno))
            pairs[tuple(sorted(words))] = lineno
    return pairs


def main(argv):
    if len(argv) != 3:
        sys.exit("usage: mutual_calls.py MANIFEST ALLOWLIST")
    libs = collections.defaultdict(list)
    with open(argv[1], encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                label, path = line.split()
                with open(path, encoding="utf-8", errors="replace") as src:
                    libs[label].append(CFile(path, src.read()))
    if not libs:
        sys.exit("no library sources in %s" % argv[1])
    allow = read_allowlist(argv[2])
    seen = set()
    errors = 0
    nfiles = 0
    for label in sorted(libs):
        nfiles += len(libs[label])
        for a, b, ab, ba in library_cycles(libs[label]):
            key = tuple(sorted((os.path.basename(a), os.path.basename(b))))
            detail = "%s: %s <-> %s\n    %s uses %s\n    %s uses %s" % (
                label, a, b, os.path.basename(a), ", ".join(ab), os.path.basename(b),
                ", ".join(ba))
            if key in allow:
                seen.add(key)
                print("known cycle (allowlisted): " + detail)
            else:
                errors += 1
                print("error: files call each other: " + detail)
    for key, lineno in sorted(allow.items(), key=lambda kv: kv[1]):
        if key not in seen:
            errors += 1
            print("error: %s:%d: '%s %s' is no longer a cycle; delete this line" %
                  (argv[2], lineno, key[0], key[1]))
    print("%d libraries, %d source files, %d error(s)" % (len(libs), nfiles, errors))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
