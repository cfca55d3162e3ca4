# Instructor verbs (included by the Makefile; BIN is the project venv's bin/).
# Every target is one call of `python -m gutbrain.instructor <verb>`; see docs/instructor_guide.md.
# QUIZ=quiz00_orientation limits a verb to one quiz (default: all quizzes in quizzes/source/).
# JOBS=n workers for grading (default: all cores); TIMEOUT=s per-cell limit (default: nbgrader_config.py).
INSTRUCTOR := $(BIN)/python -m gutbrain.instructor
QUIZ ?=
JOBS ?=
TIMEOUT ?=

.PHONY: release release-hub collect zip-collect grade feedback feedback-hub export report check-keys

release: $(READY)        ## student versions in quizzes/release/
	$(INSTRUCTOR) release $(QUIZ)

release-hub: $(READY)    ## ... and into the nbgrader exchange (JupyterHub)
	$(INSTRUCTOR) release --exchange $(QUIZ)

collect: $(READY)        ## submissions from the exchange -> quizzes/submitted/
	$(INSTRUCTOR) collect $(QUIZ)

zip-collect: $(READY)    ## an LMS download in quizzes/downloaded/$(QUIZ)/archive/ -> submitted/
	$(INSTRUCTOR) zip-collect $(QUIZ)

grade: $(READY)          ## autograde every submission in parallel; prints failures and tampering
	$(INSTRUCTOR) grade $(QUIZ) $(if $(JOBS),--jobs $(JOBS)) $(if $(TIMEOUT),--timeout $(TIMEOUT))

feedback: $(READY)       ## leak-free feedback in quizzes/feedback/
	$(INSTRUCTOR) feedback $(QUIZ)

feedback-hub: $(READY)   ## ... and return it through the exchange
	$(INSTRUCTOR) feedback --exchange $(QUIZ)

export: $(READY)         ## quizzes/reports/grades.csv
	$(INSTRUCTOR) export

report: $(READY)         ## quizzes/reports/misconceptions.html
	$(INSTRUCTOR) report

check-keys: $(READY)     ## validate assets/quiz_misconceptions/*.yaml
	$(INSTRUCTOR) check-keys
