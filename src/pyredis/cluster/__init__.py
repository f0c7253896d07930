"""cluster: see ARCHITECTURE.md; built by its own issue."""
