"""gdbook's benchmark suite: speed and memory against the tools readers would otherwise use.

Run from the repository root (not part of the test run):

    python -m benchmarks            # about three minutes on 2 cores
    python -m benchmarks --quick    # under a minute: fewer rounds and sizes

It prints a table of ratios and targets and writes `benchmarks/results/latest.json`.
"""
