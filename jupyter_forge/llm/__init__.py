"""The only layer that talks to models (litellm) and runs the embedded local model."""
