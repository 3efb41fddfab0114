"""What lead imports read: column-name synonyms and country names."""
