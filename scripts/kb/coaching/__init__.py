"""The coaching loop: quiz results in (store), statistics out (report notebook and page).

db.py         the results database (SQLite): schema and migrations, transactions, queries, export
store.py      read, validate, verify (re-grade, signatures) and add result records to the database
table.py      records -> columnar numpy arrays (one row per attempt, one per answer)
stats.py      pure numpy statistics (facility, item-rest discrimination, KR-20, group medians)
analysis.py   the report's content as plain data, computed from a table and the site's pages
simulate.py   deterministic Rasch-model demo results with one planted flawed item
charts.py     matplotlib figures with a CJK font
present.py    HTML fragments for the report (escaped)
cells.py      what the report notebook's code cells call
notebook.py   the report notebook: written with nbformat, executed with nbclient
page.py       the executed notebook -> one self-contained HTML page
learners.py   the one-to-one page per learner (printable)
report.py     `kb.py report`: the steps above in order; only writers touch disk
"""
