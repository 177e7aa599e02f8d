"""Flask extensions, created unbound here and bound to an app in the factory."""
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf import CSRFProtect

csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=get_remote_address, default_limits=[])

from flask_login import LoginManager  # noqa: E402

login_manager = LoginManager()
