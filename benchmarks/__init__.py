"""Benchmarks: each figure a ratio against a peer, measured in the same run.

Run with ``python -m benchmarks`` (``make bench``); ``--quick`` takes fewer repeats and
leaves out the whole pytest run. It prints a table and writes
``benchmarks/results/latest.json`` (git-ignored), whose schema is in
``benchmarks/README.md``.
"""
