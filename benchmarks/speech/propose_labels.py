"""Draw the development sample and propose a reading for each span, for a person to check.

    python benchmarks/speech/propose_labels.py CORPUS_DIR OUT.tsv

Reads CORPUS_DIR/sentences.jsonl (made by corpus.py), draws a fixed-seed sample per
source, cuts each sentence's spans (a run of digits, Latin letters or symbols with up to
two characters of context either side) and proposes a reading with an independent
normalizer, wetext's FSTs called directly, never the project's own rules. The proposals
are only a starting point: every label in dev_labels.tsv was read and corrected by hand.

Output columns: source, sentence hash, class guess, span, proposed reading, sentence.
"""

from __future__ import annotations

import json
import random
import re
import sys
import unicodedata
from pathlib import Path

SAMPLE = {"thucnews": 600, "cec": 450, "sogouca": 420, "sogoucs": 250, "headlines2019": 420}
SEED = 11

_TOKEN = re.compile(
    r"[0-9A-Za-z０-９Ａ-Ｚａ-ｚ%％‰℃°〇○①-⑳Ⅰ-Ⅻ～~＋+×÷=＝@＠/／&＆#＃±]"
    r"(?:[0-9A-Za-z０-９Ａ-Ｚａ-ｚ%％‰℃°〇○①-⑳Ⅰ-Ⅻ～~＋+×÷=＝@＠/／&＆#＃±.．:：·•\-－—–,，]*"
    r"[0-9A-Za-z０-９Ａ-Ｚａ-ｚ%％‰℃°〇○①-⑳Ⅰ-Ⅻ])?"
)
_CONTEXT_CHAR = re.compile(r"[\u3400-\u9fff（()）【】〔〕\[\]]")


def spans(text: str) -> list[tuple[int, int]]:
    out: list[list[int]] = []
    for m in _TOKEN.finditer(text):
        start, end = m.start(), m.end()
        # A trailing comma or dot is punctuation, not part of the number.
        while end > start and text[end - 1] in ",，.．:：-－—–":
            end -= 1
        a = start
        while a > 0 and start - a < 2 and _CONTEXT_CHAR.match(text[a - 1]):
            a -= 1
        b = end
        while b < len(text) and b - end < 2 and _CONTEXT_CHAR.match(text[b]):
            b += 1
        if out and a <= out[-1][1]:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return [(a, b) for a, b in out]


def _fold(text: str) -> str:
    """Full-width digits, letters, ％ and a full-width point between digits as ASCII
    (wetext reads only ASCII numbers); Chinese punctuation stays."""
    out = []
    for i, c in enumerate(text):
        if c == "．" and 0 < i < len(text) - 1 and text[i - 1].isdigit() and text[i + 1].isdigit():
            c = "."
        elif "０" <= c <= "９" or "Ａ" <= c <= "Ｚ" or "ａ" <= c <= "ｚ" or c in "％＋＝":
            c = unicodedata.normalize("NFKC", c)
        out.append(c)
    return "".join(out)


def guess_class(span: str) -> str:
    s = span
    checks = [
        ("url", r"www|\.com|\.cn|http|@"),
        ("list_marker", r"^[（(]\d{1,2}[)）]|[①-⑳]|^\d{1,2}[.．、](?!\d)"),
        ("phone", r"电话|热线|拨打|\d{3,4}[-－—]\d{7,8}|1[3-9]\d{9}"),
        ("time", r"\d{1,2}[:：]\d{2}|\d+时\d*分?"),
        ("date", r"\d+年\d+月|\d+月\d+日|\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d+[日号]"),
        ("year", r"(?:19|20)\d{2}年?"),
        ("percent", r"[%％‰]"),
        ("range", r"\d\s*[~～\-－—–至到]\s*\d"),
        ("money", r"[¥￥$€£]|\d+(?:\.\d+)?[万亿]?(?:元|美元|欧元|英镑|港元)"),
        ("unit", r"\d(?:km|kg|cm|mm|m|g|L|W|kW|kV|MW|GB|MB|℃|°)|\d+(?:\.\d+)?(?:公里|公斤|千克|米|吨|平方|立方|度)"),
        ("decimal", r"\d+\.\d+"),
        ("model", r"[A-Za-z]+[-－]?\d|\d+[A-Za-z]"),
        ("latin", r"[A-Za-z]"),
        ("ordinal", r"第\d"),
        ("symbol", r"[～~＋+×÷=＝@＠/／&＆#＃±〇○Ⅰ-Ⅻ]"),
        ("count", r"\d"),
    ]
    for name, pattern in checks:
        if re.search(pattern, s):
            return name
    return "other"


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: propose_labels.py CORPUS_DIR OUT.tsv", file=sys.stderr)
        return 2
    from wetext import Normalizer

    tn = Normalizer(lang="zh", operator="tn")
    rows = [json.loads(line) for line in (Path(argv[0]) / "sentences.jsonl").read_text(encoding="utf-8").splitlines()]
    rng = random.Random(SEED)
    with Path(argv[1]).open("w", encoding="utf-8") as f:
        for source, n in SAMPLE.items():
            pool = [r for r in rows if r["source"] == source]
            for row in rng.sample(pool, min(n, len(pool))):
                text = row["text"]
                for a, b in spans(text):
                    span = text[a:b]
                    proposal = str(tn.normalize(_fold(span)))
                    fields = [source, row["hash"], guess_class(span), span, proposal, text]
                    f.write("\t".join(x.replace("\t", " ") for x in fields) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
