"""A trivial JSON route, the baseline the benchmarks compare against."""
