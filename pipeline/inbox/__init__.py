"""Finding files in the inbox, fingerprinting them and archiving the originals."""
