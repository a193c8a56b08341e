"""newsmon: a streaming news monitor that raises contradiction alerts about places."""

__version__ = "0.1.0"
