"""Self-graded quizzes per role (issue 3) and certification (issue 8, item 2).

readers:   bank.py        quizzes/bank/*.yml -> QuizItems (schemas/quiz-bank.schema.json)
pure:      derive.py      content -> derived QuizItems (never stored)
           blueprint.py   a role's blueprint + seed -> Quiz (selection, shuffling, key)
           payload.py     what a learner's file carries: salted hashes, never answers
           notebook.py    Quiz -> .ipynb text;  page.py  Quiz -> HTML/MyST self-check page
runtime:   records.py, runtime.py, assets/quiz.js: grading where the learner is (stdlib / browser)
writers:   generate.py    `kb.py quiz`;  grade.py  `kb.py grade` (certification, trainer's key) and the
                          practice re-grading at import;  keys.py  keys per version, grading secret
"""
