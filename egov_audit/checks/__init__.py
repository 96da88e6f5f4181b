"""Evaluation: a fixed registry of operators for declarative checks, a registry of named checks
for structural logic, and the engine that applies the policy to an inventory."""
