"""The hand-written item bank: every failure mode gives one exact message with a hint."""
from __future__ import annotations

import pytest

from conftest import ROOT, make_project, run_kb

from kb.content import load_content
from kb.problems import ContentError
from kb.quiz.bank import load_bank, read_bank_file

FILE = "quizzes/bank/test.yml"
TEMPLATE = """schema_version: 1
items:
  - id: my-item
    type: {type}
    stem: 问题
{extra}    explanation: 解析
    topic: {topic}
    content_id: {content_id}
    roles: [{roles}]
"""


@pytest.fixture(scope="module")
def content():
    return load_content(ROOT)


def bank_text(type="true_false", extra="    answer: true\n", topic="sops", content_id="sop-after-sales-24h", roles="sales", id="my-item"):
    return TEMPLATE.format(type=type, extra=extra, topic=topic, content_id=content_id, roles=roles).replace("my-item", id)


def problems_of(text: str, content) -> list[str]:
    items, problems = read_bank_file(text.encode("utf-8"), FILE, content)
    assert items == []
    return [problem.format() for problem in problems]


def test_the_sample_bank_is_valid_and_has_every_kind_of_item(content):
    items = load_bank(ROOT, content)
    assert {item.type for item in items} == {"single", "multiple", "true_false", "ordering", "matching", "numeric"}
    deadline = next(item for item in items if item.id == "after-sales-deadline-hours")
    assert (deadline.number, deadline.unit, deadline.content_id, deadline.at) == ("24", "小时", "sop-after-sales-24h", ("quizzes/bank/after-sales.yml", 6, 9))


@pytest.fixture
def unknown_type():
    return bank_text(type="choice", extra="    options: [甲, 乙]\n    answer: A\n")


def test_unknown_type(unknown_type, content):
    assert problems_of(unknown_type, content) == [
        "quizzes/bank/test.yml:4:11: items[0].type: expected one of single, multiple, true_false, ordering, matching, numeric, received the text 'choice'\n"
        "    hint: this field is: single 单选, multiple 多选, true_false 判断, ordering 排序 (options written in the right order), matching 连线 (pairs written matched), numeric 填数字."]


@pytest.fixture
def answer_letter_out_of_range():
    return bank_text(type="single", extra="    options: [甲, 乙, 丙]\n    answer: D\n")


def test_answer_letter_out_of_range(answer_letter_out_of_range, content):
    assert problems_of(answer_letter_out_of_range, content) == [
        "quizzes/bank/test.yml:7:13: items[0].answer: expected one letter from A to C, received 'D'\n"
        "    hint: the options are named A, B, C in the order they are written"]


@pytest.fixture
def repeated_letter():
    return bank_text(type="multiple", extra="    options: [甲, 乙, 丙]\n    answer: AA\n")


def test_repeated_letter(repeated_letter, content):
    assert problems_of(repeated_letter, content) == [
        "quizzes/bank/test.yml:7:13: items[0].answer: expected letters from A to C (each once), received 'AA'\n"
        "    hint: the options are named A, B, C in the order they are written"]


@pytest.fixture
def answer_on_ordering():
    return bank_text(type="ordering", extra="    options: [甲, 乙, 丙]\n    answer: CAB\n")


def test_answer_on_ordering(answer_on_ordering, content):
    assert problems_of(answer_on_ordering, content) == [
        "quizzes/bank/test.yml:7:13: items[0].answer: expected no 'answer' in an item of type ordering\n"
        "    hint: write the options (or pairs) in the right order instead; the quiz shuffles them"]


@pytest.fixture
def missing_answer():
    return bank_text(type="single", extra="    options: [甲, 乙, 丙]\n")


def test_missing_answer(missing_answer, content):
    assert problems_of(missing_answer, content) == [
        "quizzes/bank/test.yml:3:5: items[0].answer: missing required field\n"
        "    hint: add 'answer:' — the letter of the right option, e.g. B"]


@pytest.fixture
def number_written_with_unit():
    return bank_text(type="numeric", extra="    answer: 24小时\n")


def test_number_written_with_unit(number_written_with_unit, content):
    assert problems_of(number_written_with_unit, content) == [
        "quizzes/bank/test.yml:6:13: items[0].answer: expected a number, received the text '24小时'\n"
        "    hint: write the number without quotes or units, e.g. 24"]


@pytest.fixture
def unknown_content_id():
    return bank_text(content_id="sop-after-sales-24")


def test_unknown_content_id(unknown_content_id, content):
    assert problems_of(unknown_content_id, content) == [
        "quizzes/bank/test.yml:9:17: items[0].content_id: expected the id of an existing content item, received unknown id 'sop-after-sales-24'\n"
        "    hint: did you mean 'sop-after-sales-24h'?"]


@pytest.fixture
def topic_not_matching_content():
    return bank_text(topic="scripts")


def test_topic_not_matching_content(topic_not_matching_content, content):
    assert problems_of(topic_not_matching_content, content) == [
        "quizzes/bank/test.yml:9:17: items[0].content_id: expected the id of a 话术 for topic scripts, received 'sop-after-sales-24h' which is a 流程 SOP\n"
        "    hint: change the topic or the content_id so they match"]


@pytest.fixture
def unknown_role():
    return bank_text(roles="sales, salse")


def test_unknown_role(unknown_role, content):
    assert problems_of(unknown_role, content) == [
        "quizzes/bank/test.yml:10:20: items[0].roles[1]: expected the id of an existing role, received 'salse'\n"
        "    hint: did you mean 'sales'?"]


@pytest.fixture
def options_that_read_the_same():
    return bank_text(type="single", extra="    options: [先认同客户, 先认同客户。, 再说明]\n    answer: A\n")


def test_options_that_read_the_same(options_that_read_the_same, content):
    assert problems_of(options_that_read_the_same, content) == [
        "quizzes/bank/test.yml:6:22: items[0].options[1]: expected different texts, received two that read the same: '先认同客户。'\n"
        "    hint: two identical options would both be right or both be wrong; reword or remove one"]


@pytest.fixture
def id_of_a_derived_item():
    return bank_text(id="auto-my-item")


def test_id_of_a_derived_item(id_of_a_derived_item, content):
    assert problems_of(id_of_a_derived_item, content) == [
        "quizzes/bank/test.yml:3:9: items[0].id: expected an id not starting with 'auto-', received 'auto-my-item'\n"
        "    hint: 'auto-' marks questions derived from content; choose another id"]


@pytest.fixture
def pairs_on_a_single_choice():
    return bank_text(type="single", extra="    options: [甲, 乙]\n    answer: A\n    pairs: [{left: a, right: b}, {left: c, right: d}]\n")


def test_pairs_on_a_single_choice(pairs_on_a_single_choice, content):
    assert problems_of(pairs_on_a_single_choice, content) == [
        "quizzes/bank/test.yml:8:12: items[0].pairs: expected no 'pairs' in an item of type single\n"
        "    hint: remove 'pairs:', or change the type to one that uses it"]


@pytest.fixture
def duplicate_id_across_files(tmp_path):
    root = make_project(tmp_path / "project")
    (root / "quizzes" / "bank" / "more.yml").write_text(bank_text(id="compliant-wording"), encoding="utf-8")
    return root


def test_duplicate_id_across_files(duplicate_id_across_files):
    root = duplicate_id_across_files
    with pytest.raises(ContentError) as error:
        load_bank(root, load_content(root))
    assert [p.format() for p in error.value.problems] == [
        "quizzes/bank/objections.yml:23:9: id: duplicate item id 'compliant-wording', already used in quizzes/bank/more.yml\n"
        "    hint: item ids must be unique across the bank; choose another id"]


@pytest.fixture
def bank_file_with_yaml_extension(tmp_path):
    root = make_project(tmp_path / "project")
    (root / "quizzes" / "bank" / "extra.yaml").write_text(bank_text(), encoding="utf-8")
    return root


def test_bank_problems_fail_kb_check(bank_file_with_yaml_extension):
    result = run_kb(bank_file_with_yaml_extension, "check")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "quizzes/bank/extra.yaml: expected only .yml files in the item bank",
        "    hint: rename it to extra.yml",
        "1 problem(s) found; nothing was written."]


@pytest.fixture
def number_no_learner_can_type():
    return bank_text(type="numeric", extra="    answer: 0.3333333\n")


def test_number_no_learner_can_type(number_no_learner_can_type, content):
    assert problems_of(number_no_learner_can_type, content) == [
        "quizzes/bank/test.yml:6:13: items[0].answer: expected a number with at most 6 decimals and at most 12 digits before the point, received 0.3333333\n"
        "    hint: round the answer to what a learner would type"]
