"""A customer's personal data: export it, or erase it while keeping the accounting records."""
