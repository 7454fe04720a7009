"""Benchmarks run by `make bench` (performance) and `make bench-external` (quality on external question sets).

Not part of the installed package: run them from the repository root as `python -m benchmarks.perf` and
`python -m benchmarks.external`. Every helper that computes a number is a small pure function in
``benchmarks.common`` or ``benchmarks.synthetic``, unit-tested in ``tests/test_benchmarks.py``.
"""
