"""Places: offline geocoding of place names and GPS positions (see ``geocode``)."""
