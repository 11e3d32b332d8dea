"""The chat page askdocs serves at `/`: static files, no build step, no third-party code."""
