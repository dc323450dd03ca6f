"""Adapter import: an uploaded PEFT zip is unpacked safely, scanned, probed, then usable."""
