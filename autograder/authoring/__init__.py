"""From instructor notebooks (solutions/) to what students get: release.py (`release`)."""
