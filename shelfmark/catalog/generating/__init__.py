"""Word lists and record layouts for the generated Chinese catalogue (benchmarks and demo data)."""
