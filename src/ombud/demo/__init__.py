"""demo: ombud on its bundled sample voices, from files to a summary, with one command."""

from ombud.demo.run import DemoResult, run_demo
from ombud.demo.sample import load_sample

__all__ = ["DemoResult", "load_sample", "run_demo"]
