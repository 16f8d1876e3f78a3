"""Flashdrop's benchmarks: `python -m bench [--quick] [--only NAME]` (see bench/README.md).

Kept free of imports: `python -m bench.bare_client` and `python -m bench.loopback` run as
child processes and must start as fast as a plain script.
"""
