"""A kit for plugin authors: hypothesis strategies for canonical records and a ready contract test.

Examples:
    >>> from dualuse.testing import ConnectorContract, strategies
    >>> sorted(name for name in dir(ConnectorContract) if name.startswith("test_"))[:3]
    ['test_bad_settings_raise_config_error', 'test_config_model_is_strict', 'test_declares_name_table_and_config']
"""

from __future__ import annotations

from dualuse.testing import strategies
from dualuse.testing.contract import ConnectorContract

__all__ = ["ConnectorContract", "strategies"]
