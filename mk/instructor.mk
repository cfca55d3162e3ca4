# Instructor verbs (included by the Makefile; BIN is the project venv's bin/).
# Every target is one call of `python -m gutbrain.instructor <verb>`; see docs/instructor_guide.md.
# QUIZ=quiz00_orientation limits a verb to one quiz (default: all quizzes in quizzes/source/).
# JOBS=n sandboxes at a time (default: all cores); TIMEOUT=s per-cell limit (default: nbgrader_config.py);
# WALL=s wall-clock limit per submission (default: its own cells x TIMEOUT, at most 10 min). A mistyped
# QUIZ= stops with exit status 2.
# `make grade` runs every submission in a bubblewrap sandbox and refuses without one, unless
# GUTBRAIN_UNSANDBOXED=1 is set, which grades WITHOUT the sandbox even where it works (UNSAFE: student
# code then runs with your rights; see the guide).
INSTRUCTOR := $(BIN)/python -m gutbrain.instructor
QUIZ ?=
JOBS ?=
TIMEOUT ?=
WALL ?=

.PHONY: release release-hub collect zip-collect grade feedback feedback-hub export report check-keys gradebook-migrate

release: $(READY)        ## student versions in quizzes/release/
	$(INSTRUCTOR) release $(QUIZ)

release-hub: $(READY)    ## ... and into the nbgrader exchange (JupyterHub)
	$(INSTRUCTOR) release --exchange $(QUIZ)

collect: $(READY)        ## submissions from the exchange -> quizzes/submitted/
	@test -n "$(QUIZ)" || { echo "collect needs QUIZ=<quiz id>" >&2; exit 2; }
	$(INSTRUCTOR) collect $(QUIZ)

zip-collect: $(READY)    ## an LMS download in quizzes/downloaded/$(QUIZ)/archive/ -> submitted/
	@test -n "$(QUIZ)" || { echo "zip-collect needs QUIZ=<quiz id>" >&2; exit 2; }
	$(INSTRUCTOR) zip-collect $(QUIZ)

grade: $(READY)          ## grade every submission, each in a sandbox; prints failures and flags
	@bash tools/ensure_bwrap.sh || true
	$(INSTRUCTOR) grade $(QUIZ) $(if $(JOBS),--jobs $(JOBS)) $(if $(TIMEOUT),--timeout $(TIMEOUT)) $(if $(WALL),--wall $(WALL)) $(if $(MEMORY_GB),--memory-gb $(MEMORY_GB))

feedback: $(READY)       ## feedback HTML in quizzes/feedback/ (held back while hand grading is open)
	$(INSTRUCTOR) feedback $(QUIZ) $(if $(ALLOW_UNGRADED),--allow-ungraded)

feedback-hub: $(READY)   ## ... and return it through the exchange
	$(INSTRUCTOR) feedback --exchange $(QUIZ) $(if $(ALLOW_UNGRADED),--allow-ungraded)

export: $(READY)         ## quizzes/reports/grades.csv
	$(INSTRUCTOR) export $(QUIZ)

report: $(READY)         ## quizzes/reports/misconceptions.html
	$(INSTRUCTOR) report $(QUIZ)

check-keys: $(READY)     ## validate assets/quiz_misconceptions/*.yaml
	$(INSTRUCTOR) check-keys

gradebook-migrate: $(READY)   ## copy quizzes/gradebook.db into $$GUTBRAIN_GRADEBOOK_URL (PostgreSQL), checked row by row
	$(INSTRUCTOR) gradebook-migrate
