"""The escaping that keeps trainer text inert in MyST."""
from kb import mdtext


def test_every_ascii_punctuation_is_escaped():
    assert mdtext.escape("<b>{raw}`x`") == r"\<b\>\{raw\}\`x\`"


def test_line_breaks_cannot_start_a_new_block():
    assert mdtext.escape("第一行\n# 标题\n```{raw} html") == r"第一行 \# 标题 \`\`\`\{raw\} html"


def test_chinese_text_is_unchanged():
    assert mdtext.escape("太贵了，便宜点吧！") == "太贵了，便宜点吧！"


def test_raw_passes_through():
    assert mdtext.escape(mdtext.Raw("[a](#b)")) == "[a](#b)"


def test_code_block_fence_is_longer_than_any_backtick_run():
    assert mdtext.code_block("a ```` b") == "`````text\na ```` b\n`````"


def test_paragraphs_split_lines_and_escape_each():
    assert mdtext.paragraphs("一\n\n- 二") == "一\n\n\\- 二"


def test_table_cells_escape_pipes():
    assert mdtext.table(["a"], [["x|y"]]) == "| a |\n|---|\n| x\\|y |"
