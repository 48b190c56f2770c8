"""The register's screens: rights (`rights.py`), review campaigns (`campaigns.py`) and leavers
(`leavers.py`)."""
