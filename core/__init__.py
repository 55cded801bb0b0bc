"""The ground floor: data models, settings, errors, numbers and units, text normalisation, the domain lexicon,
unit dimensions and 单位 aliases. Imported by every other package; imports none of them.

The one place the offline environment is set (before any model library is imported by a package above)."""

import os

# Offline by default: nothing may be downloaded at run time (users run on isolated networks).
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("GRADIO_TELEMETRY_ENABLED", "False")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
