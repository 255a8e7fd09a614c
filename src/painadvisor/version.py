"""painadvisor's version: one place, read by the packaging and by every output."""

__version__ = "0.2.0"
