# Copy to instance/config.py and edit. Environment variables override these values.
# SECRET_KEY = "a long random string"  # python3 -c 'import secrets; print(secrets.token_hex(32))'
# SQLALCHEMY_DATABASE_URI = "postgresql://cadence@db.example.org/cadence"   # or DATABASE_URL
# REDIS_URL = "redis://cache.example.org:6379/0"
# CADENCE_BASE_URL = "https://cadence.example.org"
# COMMUNITY_NAME = "bhyve community"
# MAIL_SERVER = "smtp.example.org"; MAIL_PORT = 587; MAIL_USE_TLS = True
# MAIL_DEFAULT_SENDER = "bhyve calls <calls@example.org>"
# References in minutes and reviews that link themselves: (regex, url template), first match wins.
# The template gets {0} (the whole match), {1}, {2}… (groups) and {name} (named groups).
# REFERENCE_PATTERNS = [
#     (r"\bD(\d{3,7})\b", "https://reviews.freebsd.org/D{1}"),
#     (r"\b(?:[Bb]ug|PR)\s+#?(\d{3,7})\b", "https://bugs.freebsd.org/bugzilla/show_bug.cgi?id={1}"),
#     (r"\b(?P<owner>[\w.-]+)/(?P<repo>[\w.-]+)#(?P<num>\d+)\b", "https://github.com/{owner}/{repo}/issues/{num}"),
# ]
