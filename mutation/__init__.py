"""Mutation testing of gdbook and its book: do the tests fail when a number is wrong?

`python -m mutation` runs two kinds of mutants and records the result in
`mutation/results/latest.json` (see README.md, "Mutation testing"):

- **package mutants** (`mutation.package`): mutmut changes one operator, number, string,
  argument or condition at a time in `gdbook/` and `docs/figures.py` and runs the package
  tests that reach the changed function. Each mutant that survives is explained in
  `mutation/survivors.toml`: equivalent (no test can tell it apart) or accepted (a reason
  it is not worth a test).
- **page mutants** (`mutation.pages`): the book's executed code blocks are Markdown, which
  no mutation tool reads; `mutation/pages.toml` lists hand-written mutants of the pages
  (a number the reader sees goes wrong), each built into a copy of the book and checked
  by the page tests.
"""
