"""Machinery shared by the tests and the benchmarks (run from the repository root): the
in-memory implementations of the ports, the pages and deliveries the tests write, the
fault-injection harness of the reliability runs, and the metric of the extraction benchmark.
Never deployed, never part of the command line."""
