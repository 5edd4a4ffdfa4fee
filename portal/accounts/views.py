"""Login and logout."""

from flask import Blueprint

bp = Blueprint("accounts", __name__)
