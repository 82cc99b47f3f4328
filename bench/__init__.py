"""Benchmarks: each measures our code and its peer or limit in the same run and prints ratios.

Run them with `make bench` (full sizes) or `uv run python -m bench --smoke` (tiny sizes, as
`make test` does). See bench/README.md.
"""
