"""The alerter service."""
