"""Collecting evidence from hosts. `interface` defines the Collector; `ansible` runs the
collection playbook through the Ansible execution adapter (egov_audit/runner.py); `evidence`
writes fact bundles atomically and reads them through the strict JSON reader."""
