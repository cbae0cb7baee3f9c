"""Publishing: manifest, feeds and pages written from built editions."""
