"""Prefect flows and the command line: thin edges that only orchestrate pipeline calls."""

import os as _os

# A government office's pipeline sends no usage data and prints no analytics notice, wherever tonghop runs (prefect.toml
# is read only from the working folder). Set before Prefect is imported: its server reads
# PREFECT_SERVER_ANALYTICS_ENABLED (prefect/settings/models/server/root.py), its client honours DO_NOT_TRACK
# (prefect/_internal/analytics/enabled.py), which also silences the "collects anonymous usage data" banner.
_os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
_os.environ["DO_NOT_TRACK"] = "1"
