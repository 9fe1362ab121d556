"""The finder tokenizes and ranks the same way at build time (Python) and in the browser
(book/_static/finder.js, run here with node): same tokens on a corpus, same ranking."""
from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from conftest import ROOT
from kb.content import load_content
from kb.finder import build_index, rank
from kb.finder_eval import load_cases
from kb.tokens import tokenize

FINDER_JS = ROOT / "book" / "_static" / "finder.js"
NODE = shutil.which("node")


def corpus() -> list[str]:
    """Every text field of the sample scripts, the evaluation messages and awkward inputs."""
    content = load_content(ROOT)
    texts = []
    for item in content.of_kind("script"):
        d = item.data
        texts += [d["title"], d["concern"], d["response"]["text"], *d["customer_says"], *d.get("tags", [])]
    texts += [case.query for case in load_cases()]
    texts += ["ＡＢＣ１２３ 全角", "VIP会员 Vip vip", "😀😀🙏", "<script>alert('x')</script>", "   ", "",
              "e\u0301 café ｶﾀｶﾅ ①②", "𠀀𠀁 rare ideographs", "a\u2028b", "双11 618 iPhone15Pro", "太贵" * 300]
    return texts


def run_node(program: str, data) -> object:
    assert NODE, "node is not installed: run bash .ci/setup"
    result = subprocess.run([NODE, "-e", program], input=json.dumps(data, ensure_ascii=False),
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


READ_STDIN = "const input = JSON.parse(require('fs').readFileSync(0, 'utf8')); const f = require(%s);" % json.dumps(str(FINDER_JS))


def test_python_and_browser_tokenizers_agree_on_a_corpus():
    content = load_content(ROOT)
    texts = corpus()
    program = READ_STDIN + "process.stdout.write(JSON.stringify(input.texts.map(t => f.tokenize(t, input.synonyms))));"
    from_js = run_node(program, {"texts": texts, "synonyms": content.synonyms})
    from_python = [tokenize(text, content.synonyms) for text in texts]
    differing = [(text, py, js) for text, py, js in zip(texts, from_python, from_js) if py != js]
    assert not differing, differing[:3]
    assert sum(len(tokens) for tokens in from_python) > 5000      # the corpus really exercised it


def test_python_and_browser_rank_the_same(tmp_path):
    content = load_content(ROOT)
    index = build_index(content, content.synonyms)
    queries = [case.query for case in load_cases()] + ["", "😀", "太贵" * 1000]
    program = READ_STDIN + ("process.stdout.write(JSON.stringify(input.queries.map(q => "
                            "f.rank(input.index, q, ['script', 'product', 'case', 'rule', 'sop', 'role']).slice(0, 10))));")
    from_js = run_node(program, {"index": index, "queries": queries})
    kinds = ("script", "product", "case", "rule", "sop", "role")
    from_python = [[list(pair) for pair in rank(index, q, kinds)[:10]] for q in queries]
    assert from_js == from_python


@pytest.mark.parametrize("text, expected", [
    ("太贵了", ["太", "贵", "了", "太贵", "贵了"]),
    ("VIP会员", ["vip", "会", "员", "会员"]),
    ("😀！！", []),
])
def test_tokens_are_characters_pairs_and_words(text, expected):
    assert tokenize(text) == expected


def test_a_synonym_group_adds_one_token_for_any_of_its_words():
    groups = [["退货", "退款"]]
    assert tokenize("能退款吗", groups)[-1] == "~退货"
    assert "~退货" not in tokenize("能便宜吗", groups)
