"""EasyTune: intent-driven LoRA/PEFT fine-tuning for teams."""

__version__ = "0.1.0"
