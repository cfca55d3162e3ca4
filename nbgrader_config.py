"""nbgrader configuration for the course's quizzes.

Lives at the repository root so that `nbgrader ...` and formgrader work when started from
here (and on Binder). Paths are computed from this file's location, so the configuration
means the same thing from any working directory.
"""
import os

c = get_config()  # noqa: F821 (provided by traitlets when nbgrader loads this file)

_here = os.path.dirname(os.path.abspath(__file__))

c.CourseDirectory.root = os.path.join(_here, "quizzes")
c.CourseDirectory.course_id = os.environ.get("GUTBRAIN_COURSE_ID", "gut-feelings")

# The gradebook: quizzes/gradebook.db (SQLite) unless GUTBRAIN_GRADEBOOK_URL names another database,
# e.g. postgresql+psycopg2://grader@db/gutfeelings for a class with several graders (see the guide).
try:
    from gutbrain.instructor.gradebook_db import gradebook_url
except ImportError:  # the package is not installed: nbgrader's own default, quizzes/gradebook.db
    pass
else:
    c.CourseDirectory.db_url = gradebook_url(c.CourseDirectory.root)

# A runaway student cell (an infinite loop) is stopped after this many seconds (`make grade`
# reads this; TIMEOUT=s overrides it).
c.Execute.timeout = 60
c.Execute.interrupt_on_timeout = True

# Release copies get a comment, not `raise NotImplementedError()`, where the solution was:
# a choice item then starts as a runnable `answer = None` line (see the quiz sources).
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# The exchange is where a JupyterHub class releases and collects quizzes. It must exist;
# by default it lives under quizzes/ (git-ignored). On a hub, set GUTBRAIN_EXCHANGE to the
# shared folder (e.g. /srv/nbgrader/exchange) — see the instructor guide.
c.Exchange.root = os.environ.get("GUTBRAIN_EXCHANGE", os.path.join(_here, "quizzes", "exchange"))
os.makedirs(c.Exchange.root, exist_ok=True)

# Student code is graded by `make grade` (bubblewrap sandbox per submission, scores decided by the
# grader: docs/instructor_guide.md), never by nbgrader's own autograde: formgrader's "Autograde"
# button and `nbgrader autograde` stop with a message pointing at `make grade`. Feedback is exported
# with nbconvert's HTML sanitiser on. Formgrader stays the place to grade free-text items by hand.
try:
    from gutbrain.instructor.course import use_safe_preprocessors
except ImportError:  # the package is not installed: autograde runs nothing, feedback is sanitised
    c.Autograde.autograde_preprocessors = []
    c.HTMLExporter.sanitize_html = True
else:
    use_safe_preprocessors(c, __import__("pathlib").Path(c.CourseDirectory.root))
