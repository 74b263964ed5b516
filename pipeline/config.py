"""Loading the run's settings once, at the edge: WORKSPACE/maap.yaml (optional), then command-line overrides."""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import ValidationError

from models.errors import ConfigError
from models.settings import Settings

SETTINGS_FILE = "maap.yaml"


def read_workspace_yaml(path: Path):
    """A workspace's own YAML file, parsed ({} when empty); invalid YAML is one ConfigError naming the file."""
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as e:
        raise ConfigError(f"{path}: not valid YAML ({getattr(e, 'problem', None) or e})") from e


def load_settings(workspace: Path | None, **overrides) -> Settings:
    """Settings from WORKSPACE/maap.yaml (when there is one) with ``overrides`` (None values ignored) on top.

    Example maap.yaml::

        limits: {max_pages: 40, seconds_per_file: 300}
        template_threshold: 0.6
        pseudonymise: true
    """
    data: dict = {}
    path = Path(workspace) / SETTINGS_FILE if workspace else None
    if path is not None and path.is_file():
        data = read_workspace_yaml(path)
        if not isinstance(data, dict):
            raise ConfigError(f"{path}: settings must be a mapping such as 'limits: {{max_pages: 40}}'")
    for key, value in overrides.items():
        if value is not None and value is not False:
            data[key] = value
    try:
        return Settings.model_validate(data)
    except ValidationError as e:
        first = e.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        source = path if path is not None and path.is_file() else "settings"
        raise ConfigError(f"{source}: {where}: {first['msg']}") from e
