"""A real OpenSearch node for the tests: the Maven-built launcher and its pytest fixtures (issue #18)."""
