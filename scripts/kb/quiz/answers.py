"""How a quiz notebook reads the answer cells, whatever the learner typed.

Standard library only: the quiz data cell carries this file's source. Running that cell
registers two IPython hooks (`watch_answer_cells`):
- an input transformer that turns each answer cell into a plain string assignment before it
  runs, so `q03 = “对”`, `q08 = B` or `q08 = ＢＣ` never stop "Run All" with a SyntaxError or
  a NameError;
- a `pre_run_cell` callback that logs every cell run since the data cell (cell id and text).
The grading cell reads the answers from that log (runtime.read_answers): it grades the text
that was on screen when the cells ran and can tell whether they ran as one full run.
"""
import re
import unicodedata

# Quotation marks an IME or a word processor may put around an answer; none is part of one.
QUOTES = "\"'`“”‘’＂＇「」『』〝〞„‟«»‹›"
# `q08 = B`, `Q8=B`, `q08：B`, `learner = 张三` (after NFKC: full-width letters, digits, ＝ and ：)
ANSWER_LINE = re.compile(r"^\s*(?:(learner)|[qQ]\s*0*(\d{1,3}))\s*(?:=+|:)(.*)$")
LEARNER = "learner"


def answer_name(index: int, count: int) -> str:
    """Variable (and cell id) of the index-th answer cell: q01, q02 … (q001 … from 100 questions)."""
    return f"q{index + 1:0{3 if count >= 100 else 2}d}"


def clean_value(text: str) -> str:
    """The answer in a piece of cell text: no comment, no quotation marks, full-width made plain."""
    text = unicodedata.normalize("NFKC", text).split("#", 1)[0]
    return "".join(ch for ch in text if ch not in QUOTES).strip()


def read_line(line: str, count: int):
    """(name, answer) if the line assigns an answer (q08 = …) or the name (learner = …), else None."""
    match = ANSWER_LINE.match(unicodedata.normalize("NFKC", line))
    if not match:
        return None
    learner, number, rest = match.groups()
    name = LEARNER if learner else answer_name(int(number) - 1, max(count, int(number)))
    return name, clean_value(rest)


def _meaningful(lines) -> list:
    return [line for line in lines if line.strip() and not unicodedata.normalize("NFKC", line).lstrip().startswith("#")]


def read_cell(text: str, name: str, count: int) -> str:
    """The answer in the text of the cell for `name`: its last `name = …` line; if the cell has
    no assignment at all (the learner wrote just `B`), the whole text."""
    lines = text.splitlines()
    found = [read_line(line, count) for line in lines]
    own = [value for (key, value) in filter(None, found) if key == name]
    if own:
        return own[-1]
    if any(found):
        return ""
    return clean_value(" ".join(_meaningful(lines)))


def assignments(text: str, count: int) -> list:
    """Every (name, answer) a cell assigns, in order."""
    return [found for found in (read_line(line, count) for line in text.splitlines()) if found]


def transform_answer_cell(lines: list, cell_name, count: int) -> list:
    """An answer cell as it will run. A cell we know is an answer cell (`cell_name`, from its id)
    runs as one string assignment of the answer its text holds: nothing else typed there runs.
    Without a cell id, a cell whose lines are all answer lines has each made a string assignment;
    any other cell (code, the grading cell included) stays as it is."""
    if cell_name is not None:
        return [f"{cell_name} = {read_cell(''.join(lines), cell_name, count)!r}\n"]
    meaningful = _meaningful(lines)
    found = [read_line(line, count) for line in lines]
    if not (meaningful and all(read_line(line, count) for line in meaningful)):
        return lines
    return [f"{hit[0]} = {hit[1]!r}\n" if hit else line for line, hit in zip(lines, found)]


def _cell_id(shell):
    """Id of the cell being run, as JupyterLab, Notebook 7 and nbclient send it (None otherwise)."""
    try:
        return ((shell.kernel.get_parent() or {}).get("metadata") or {}).get("cellId")
    except Exception:
        return None


def watch_answer_cells(shell, count: int) -> list:
    """Register the transformer and the run log on an IPython shell (replacing those of an
    earlier run of the data cell); returns the log, a list of (cell id, cell text)."""
    runs = []
    if shell is None:
        return runs
    names = {answer_name(index, count) for index in range(count)} | {LEARNER}

    def answers_as_text(lines):
        cell = _cell_id(shell)
        return transform_answer_cell(lines, cell if cell in names else None, count)

    def log_run(info):
        runs.append((getattr(info, "cell_id", None), info.raw_cell))

    answers_as_text.kb_quiz = log_run.kb_quiz = True
    transformers = shell.input_transformers_cleanup
    transformers[:] = [t for t in transformers if not getattr(t, "kb_quiz", False)] + [answers_as_text]
    for callback in list(shell.events.callbacks.get("pre_run_cell", [])):
        if getattr(callback, "kb_quiz", False):
            shell.events.unregister("pre_run_cell", callback)
    shell.events.register("pre_run_cell", log_run)
    return runs
