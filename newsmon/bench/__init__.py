"""Load generation, the end-to-end benchmark and the fault suite."""
