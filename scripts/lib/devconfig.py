"""Write a Home Assistant configuration directory for development and end-to-end tests.

    python scripts/lib/devconfig.py CONFIG_DIR [--port 8123]

Creates CONFIG_DIR/configuration.yaml (only if missing), links this repository's
integration into CONFIG_DIR/custom_components/sipgate, and copies the blueprints,
so that `hass -c CONFIG_DIR` runs the integration from the working tree. The
configuration loads only what the integration needs plus the frontend, so Home
Assistant installs nothing at run time.
"""

import argparse
from pathlib import Path
import shutil

REPO = Path(__file__).resolve().parents[2]

CONFIGURATION = """\
# Written by scripts/lib/devconfig.py for scripts/develop and the end-to-end tests.
homeassistant:
  name: sipgate development
  country: DE
  language: en
  time_zone: Europe/Berlin
  currency: EUR
  unit_system: metric
  latitude: 51.2277
  longitude: 6.7735
  elevation: 38
  external_url: http://127.0.0.1:{port}
  internal_url: http://127.0.0.1:{port}
  allowlist_external_dirs:
    - {config_dir}/media

http:
  server_host: 127.0.0.1
  server_port: {port}

frontend:
config:
logbook:
history:
media_source:
automation: !include automations.yaml
script: !include scripts.yaml

logger:
  default: warning
  logs:
    custom_components.sipgate: debug
"""


def write_config(config_dir: Path, port: int) -> None:
    """Create the configuration directory (keeping an existing configuration.yaml)."""
    config_dir.mkdir(parents=True, exist_ok=True)
    (config_dir / "media").mkdir(exist_ok=True)
    configuration = config_dir / "configuration.yaml"
    if not configuration.exists():
        configuration.write_text(
            CONFIGURATION.format(port=port, config_dir=config_dir.resolve()), encoding="utf-8"
        )
    for name in ("automations.yaml", "scripts.yaml"):
        if not (config_dir / name).exists():
            (config_dir / name).write_text("[]\n" if name == "automations.yaml" else "{}\n", encoding="utf-8")
    components = config_dir / "custom_components"
    components.mkdir(exist_ok=True)
    link = components / "sipgate"
    if not link.exists():
        link.symlink_to(REPO / "custom_components" / "sipgate", target_is_directory=True)
    blueprints = config_dir / "blueprints" / "automation" / "sipgate"
    blueprints.mkdir(parents=True, exist_ok=True)
    for blueprint in (REPO / "blueprints" / "automation" / "sipgate").glob("*.yaml"):
        shutil.copyfile(blueprint, blueprints / blueprint.name)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("config_dir", type=Path)
    parser.add_argument("--port", type=int, default=8123)
    arguments = parser.parse_args()
    write_config(arguments.config_dir, arguments.port)
