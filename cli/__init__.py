"""The `qa` command line, a face on top of the library: it imports qa, index, stores and eval; nothing imports it."""
