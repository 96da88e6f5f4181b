"""Collecting evidence from hosts. `interface` defines the Collector; `ansible` is the only module
that imports ansible_runner; `evidence` reads and writes fact bundles atomically."""
