# Read by the `flask` command (python-dotenv) when it runs in this folder: a new terminal's `flask …` works
# against the instance scripts/run serves (the demo's SQLite database in instance/, on the demo's clock).
# Variables exported in the shell win: production exports FUNDAPP_ENV=production (gunicorn never reads this file).
FLASK_APP=wsgi
FUNDAPP_ENV=development
