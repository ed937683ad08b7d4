"""Scoring against gold, the eval command, the benchmark, the fuzzer and the gold tool."""
