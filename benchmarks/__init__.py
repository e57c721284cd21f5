"""Benchmarks of cja-async against the in-process simulator: ``python -m benchmarks``.

Every figure is a ratio taken in the same run (to the least possible time, or to a baseline
measured right beside it), never an absolute time alone: the machine is small and shared.
See ``benchmarks/README.md``.
"""
