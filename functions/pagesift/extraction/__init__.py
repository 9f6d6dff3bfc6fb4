"""One page's bytes → one Document: decoding, the named steps (``steps.extract``), cleanup,
metadata, and the second opinions with the selector's model. Imports only the contracts."""
