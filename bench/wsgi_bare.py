"""The baseline of the hotline benchmark: a bare Flask view inserting one row with sqlite3."""

import os
import secrets
import sqlite3

from flask import Flask, request

DB = os.environ.get("BARE_DB", "bench/bare.db")
app = Flask(__name__)


def connect():
    conn = sqlite3.connect(DB, timeout=10)
    conn.execute("PRAGMA journal_mode=WAL")
    return conn


with connect() as conn:
    conn.execute("CREATE TABLE IF NOT EXISTS complaint (id INTEGER PRIMARY KEY, code TEXT UNIQUE, village TEXT, "
                 "category TEXT, description TEXT)")


@app.post("/file")
def file_complaint():
    code = secrets.token_hex(6).upper()
    conn = connect()
    with conn:
        conn.execute("INSERT INTO complaint (code, village, category, description) VALUES (?, ?, ?, ?)",
                     (code, request.form["village"], request.form["category"], request.form["description"]))
    conn.close()
    return code, 201
