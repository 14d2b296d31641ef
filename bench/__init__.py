"""The benchmark harness: peer, limit and service cases measured side by side in one run."""
