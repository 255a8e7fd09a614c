"""painadvisor: a command-line advisor for runners in pain."""

__version__ = "0.1.0"
