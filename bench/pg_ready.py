"""Exit 0 when the PostgreSQL server in argv[1] accepts a connection within two seconds."""

import sys

try:
    import psycopg
except ImportError:  # pragma: no cover
    sys.exit(1)

try:
    with psycopg.connect(sys.argv[1], connect_timeout=2):
        pass
except Exception:
    sys.exit(1)
sys.exit(0)
