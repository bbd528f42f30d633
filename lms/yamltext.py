"""YAML as the content is written (lessons' blocks, quiz banks, manifests): the safe subset,
read by libyaml's C parser when PyYAML was built with it, as its wheels are.

The pure-Python parser took about 7 of the 8 seconds an app needed to start on the full
catalogue (every start: a worker, a `flask` command, a test); the C one reads the same
documents into the same values, with the same `yaml.YAMLError`s."""

import yaml

YAMLError = yaml.YAMLError
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def safe_load(text: str):
    return yaml.load(text, Loader=_LOADER)  # noqa: S506 (a safe loader)
