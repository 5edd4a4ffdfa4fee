"""Console views: thin; rules live in services of the rooms they belong to."""

from flask import Blueprint

bp = Blueprint("console", __name__, url_prefix="/console")
