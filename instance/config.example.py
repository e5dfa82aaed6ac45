# Copy to instance/config.py and edit. Environment variables override these values.
# SECRET_KEY = "a long random string"            # python3 -c 'import secrets; print(secrets.token_hex(32))'
# SQLALCHEMY_DATABASE_URI = "postgresql://cadence@db.example.org/cadence"   # or DATABASE_URL
# REDIS_URL = "redis://cache.example.org:6379/0"
# CADENCE_BASE_URL = "https://cadence.example.org"
# COMMUNITY_NAME = "bhyve community"
# MAIL_SERVER = "smtp.example.org"; MAIL_PORT = 587; MAIL_USE_TLS = True
# MAIL_DEFAULT_SENDER = "bhyve calls <calls@example.org>"
