"""The control catalogue (`catalogue`): controls, baselines and reference models as data."""

from .catalogue import (
    BASELINES_DIR,
    CATALOGUE_FILE,
    DEFAULT_POLICIES,
    DEFAULT_REFERENCE_MODELS,
    LEVELS,
    Baseline,
    Check,
    CheckVocabulary,
    Control,
    ControlBaseline,
    PolicySet,
    Problem,
    load_policies,
    policy_dirs,
)

__all__ = [
    "BASELINES_DIR",
    "CATALOGUE_FILE",
    "DEFAULT_POLICIES",
    "DEFAULT_REFERENCE_MODELS",
    "LEVELS",
    "Baseline",
    "Check",
    "CheckVocabulary",
    "Control",
    "ControlBaseline",
    "PolicySet",
    "Problem",
    "load_policies",
    "policy_dirs",
]
