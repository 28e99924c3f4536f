import sys
from pathlib import Path

# Lets tests import their shared helpers (docs_guard, strategies) by name.
sys.path.insert(0, str(Path(__file__).resolve().parent))
