#!/usr/bin/env python3
"""Generates a benchmark corpus for `xiezuo build` and `xiezuo extract` (standard library only).

Documents recombine sentences of many kinds -- pairings in several phrasings, outcomes with
grouped digits and multipliers, meetings, policy documents, pinyin-damaged text, boilerplate
and background prose -- over real region names, mostly in simplified Chinese with traditional
Chinese, English and French documents mixed in, so that throughput numbers mean something.

    python3 scripts/gen_corpus.py --size 10M --out /tmp/corpus10      # what tests could afford
    python3 scripts/gen_corpus.py --size 100M --out /tmp/corpus100
    python3 scripts/gen_corpus.py --size 1G --out /tmp/corpus1g
    python3 scripts/gen_corpus.py --change 1 --out /tmp/corpus100     # rewrite 1% of the files

The output is deterministic for a given --seed.
"""

import argparse
import os
import random

EAST = ["北京市", "上海市", "天津市", "江苏省", "浙江省", "福建省", "山东省", "广东省",
        "深圳市", "苏州市", "杭州市", "宁波市", "大连市", "青岛市", "厦门市", "珠海市"]
WEST = ["宁夏回族自治区", "广西壮族自治区", "重庆市", "云南省", "贵州省", "甘肃省", "四川省",
        "内蒙古自治区", "百色市", "铜仁市", "乌兰察布市", "赤峰市", "遵义市", "恩施土家族苗族自治州",
        "黔东南苗族侗族自治州", "青海省"]
EAST_EN = ["Beijing", "Shanghai", "Tianjin", "Jiangsu", "Zhejiang", "Fujian", "Shandong", "Guangdong"]
WEST_EN = ["Ningxia", "Guangxi", "Chongqing", "Yunnan", "Guizhou", "Gansu", "Sichuan", "Inner Mongolia"]


def zh_sentence(r):
    e, w = r.choice(EAST), r.choice(WEST)
    y, n = r.randint(1996, 2020), r.randint(100, 99999)
    k = r.randrange(12)
    if k == 0:
        return f"{y}年,{e}对口帮扶{w},累计投入财政援助资金{n % 100}.{n % 10}亿元。"
    if k == 1:
        return f"比如,{e}与{w}每年召开一次联席会议,交流学习先进管理理念,推动企业合作。"
    if k == 2:
        return f"{y}年,通过扶贫劳务协作帮助实现就业脱贫人口{n // 1000} {n % 1000:03d}人。"
    if k == 3:
        return "东西部扶贫协作形式多样,形成了以政府援助、企业合作、社会帮扶、人才支持为主的基本工作框架。"
    if k == 4:
        return f"在{e}的帮扶下,{w}举办培训班{n % 300}期,培训学员{n % 900}多人,签订意向书{n % 1000}份。"
    if k == 5:
        return "東西部扶貧協(xié)作場(chǎng)域中的互動(dòng)合作模式構(gòu)建是鞏固精準(zhǔn)脫貧成果的需要。"
    if k == 6:
        return f"{e}结对帮扶{w}的{n % 40}个贫困县,{y}年带动贫困户{n}户增收。"
    if k == 7:
        return f"{y}年,两地联合印发《关于进一步加强{e[:2]}{w[:2]}扶贫协作的实施意见》。"
    if k == 8:
        return f"{y}年至{y + r.randint(1, 5)}年,{e}先后选派{n % 500}名干部到{w}挂职。"
    if k == 9:
        return f"截至{y}年底,{w}累计减少贫困人口{n / 10:.1f}万人,贫困发生率下降到{n % 10}.{n % 7}%。"
    if k == 10:
        return ("贫困地区作为人类历史进程中的地理版图区域单元,也需要发达地区和贫困地区在区域间互动合作"
                "行动中实现区域优势资源和发展要素有效流动。")
    return "相关阅读:猜你喜欢 扶贫 协作 帮扶 脱贫攻坚 乡村振兴"


def en_sentence(r):
    e, w = r.choice(EAST_EN), r.choice(WEST_EN)
    y, n = r.randint(1996, 2020), r.randint(100, 99999)
    k = r.randrange(4)
    if k == 0:
        return f"Since {y}, {e} has partnered with {w} in poverty alleviation."
    if k == 1:
        return f"In {y}, more than {n:,} people in {w} were lifted out of poverty with the help of {e}."
    if k == 2:
        return f"Les deux provinces, {e} et {w}, ont signé un accord de jumelage en {y}."
    return "The East-West cooperation framework combines government aid, enterprise cooperation and social assistance."


def document(r, size):
    lang = r.random()
    parts = []
    total = 0
    while total < size:
        s = en_sentence(r) if lang < 0.15 else zh_sentence(r)
        if r.random() < 0.3:
            s += "\n"
        parts.append(s)
        total += len(s.encode("utf-8"))
    text = "".join(parts)
    if lang > 0.9:  # some documents in traditional characters, as Taiwanese and HK sources write
        text = text.translate(str.maketrans("东协扶贫帮对结联会议县户万亿实现发达资金", "東協扶貧幫對結聯會議縣戶萬億實現發達資金"))
    return text


def parse_size(s):
    s = s.strip().upper()
    for suffix, factor in (("G", 1 << 30), ("M", 1 << 20), ("K", 1 << 10)):
        if s.endswith(suffix):
            return int(float(s[:-1]) * factor)
    return int(s)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", default="10M", help="total size: 10M, 100M, 1G (default 10M)")
    ap.add_argument("--out", required=True, help="output directory")
    ap.add_argument("--seed", type=int, default=6)
    ap.add_argument("--change", type=float, help="instead: rewrite this percentage of the files in --out")
    args = ap.parse_args()
    if args.change is not None:
        # Documents sit in subdirectories of a thousand.
        names = sorted(os.path.relpath(os.path.join(d, f), args.out)
                       for d, _, files in os.walk(args.out) for f in files if f.endswith(".txt"))
        r = random.Random(args.seed + 1)
        chosen = r.sample(names, max(1, round(len(names) * args.change / 100)))
        for name in chosen:
            path = os.path.join(args.out, name)
            with open(path, "a", encoding="utf-8") as f:
                f.write("\n" + zh_sentence(r) + "\n")
        print(f"changed {len(chosen)} of {len(names)} files in {args.out}")
        return
    total = parse_size(args.size)
    r = random.Random(args.seed)
    written = 0
    i = 0
    while written < total:
        sub = os.path.join(args.out, f"{i // 1000:04d}")
        os.makedirs(sub, exist_ok=True)
        text = document(r, r.randint(2_000, 40_000)).encode("utf-8")
        with open(os.path.join(sub, f"doc{i:07d}.txt"), "wb") as f:
            f.write(text)
        written += len(text)
        i += 1
    print(f"wrote {i} documents, {written / 1e6:.1f} MB, to {args.out}")


if __name__ == "__main__":
    main()
