"""kg's benchmark suite: synthetic API pages (:mod:`bench.generate`) and the runner (:mod:`bench.run`).

Benchmarks are run by hand; CI runs ``python -m bench.run --smoke`` so the suite cannot rot.
"""
