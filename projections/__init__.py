"""Read-model definitions: pure evolve functions and abstract view interfaces."""
