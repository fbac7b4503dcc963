"""Trade-flow analytics: mirror reconciliation, hub triangulation, surge and difference-in-differences.

Frames in, frames out: no I/O, no printing, no configuration. Inputs are canonical ``flows``
frames (see :mod:`dualuse.schema`); every output row names the input rows behind it.
"""

from dualuse.flows.findings import hub_findings, mirror_findings, surge_findings
from dualuse.flows.hubs import hubs
from dualuse.flows.mirror import (
    DEFAULT_MARGIN,
    Margins,
    apply_margins,
    combine_group,
    estimate_margins,
    estimate_reliability,
    mirror,
    pair_reports,
    reconcile,
)
from dualuse.flows.surge import NOT_LISTED, NOT_PRODUCTS, ControlGroup, control_group, did, listed_did, surge

__all__ = [
    "DEFAULT_MARGIN",
    "NOT_LISTED",
    "NOT_PRODUCTS",
    "ControlGroup",
    "Margins",
    "apply_margins",
    "combine_group",
    "control_group",
    "did",
    "estimate_margins",
    "estimate_reliability",
    "hub_findings",
    "hubs",
    "listed_did",
    "mirror",
    "mirror_findings",
    "pair_reports",
    "reconcile",
    "surge",
    "surge_findings",
]
