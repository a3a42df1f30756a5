"""Privacy: retention purge, patient export and deletion (health data: lose none, leak none)."""
