"""Benchmarks of jupyter_forge (not part of the test suite; results in benchmarks/results/)."""
