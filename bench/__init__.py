"""The load benchmark of Retour's API (`make bench`). Not part of the application."""
