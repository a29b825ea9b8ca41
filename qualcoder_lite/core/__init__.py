"""Qt-free core: model, project store, services and file formats."""
