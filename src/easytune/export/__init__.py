"""The export engine: an adapter merged into its base, as safetensors, GGUF or GGUF LoRA.

Like `easytune.training` it knows nothing of the database or HTTP: `python -m easytune.export
run SPEC.json` reads a spec, writes progress lines and the artefact folder.
"""
