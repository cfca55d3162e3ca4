"""Build the hostile / broken / honest submission corpus from the quizzes' releases.

    .venv/bin/python tests/submissions/build_corpus.py      # rewrites tests/submissions/<case>/

Each case is a folder holding what a student would hand in (``<quiz>/<quiz>.ipynb``, maybe a
``timestamp.txt``); ``expected.json`` says what grading must make of it: status, points per
item, the flags, the choice graded for item 1 (misconception report), its ``kind`` (the
issue's list of attacks) and, for some, what its feedback must (not) contain. Every case is
graded in ONE sandboxed parallel batch by tests/test_instructor_grading.py. Run this again
whenever quiz00's or quiz01's source changes (a test checks).

Nothing here may ever be graded unsandboxed: several cases kill every process they can see.
"""
from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
QUIZ = "quiz00_orientation"
QUIZ1 = "quiz01_serotonin"
ITEM3 = ("The model is of liver cells, not of gut enterochromaffin cells; its enzyme amounts are "
         "scaled values, so it is not a measurement in people.")
#: a process name the detached-process case starts; the test checks none survives grading
DETACHED_MARKER = "gutbrain-corpus-detached-7f3a"


def _releases() -> dict:
    sys.path.insert(0, str(REPO / "src"))
    from gutbrain.instructor.course import make_api, quiet_nbgrader
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "quizzes"
        shutil.copytree(REPO / "quizzes" / "source", root / "source")
        api = make_api(root)
        for quiz in (QUIZ, QUIZ1):
            with quiet_nbgrader():
                result = api.generate_assignment(quiz, force=True)
            if not result["success"]:
                raise SystemExit(result["log"])
            out[quiz] = nbformat.read(root / "release" / quiz / f"{quiz}.ipynb", as_version=4)
    return out


def _cell(nb, grade_id):
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == grade_id:
            return cell
    raise KeyError(grade_id)


ITEM2_OK = "state = steady_state()\nserotonin_share_percent = 100 * state.serotonin_branch_share"

LIARS = '''
class _AnyStr(str):
    def __eq__(self, other): return True
    def __ne__(self, other): return False
    __hash__ = str.__hash__
    def encode(self, *a, **k): return b"a"
class _AnyFloat(float):
    def __eq__(self, other): return True
    def __ne__(self, other): return False
    __hash__ = float.__hash__
    def __sub__(self, other): return _AnyFloat(0.0)
    def __rsub__(self, other): return _AnyFloat(0.0)
    def __abs__(self): return 0.0
    def __lt__(self, other): return True
    def __le__(self, other): return True
    def __gt__(self, other): return True
    def __ge__(self, other): return True
'''

HOSTILE = {
    "ast_transformer": (
        "import ast\n"
        "class _Pass(ast.NodeTransformer):\n"
        "    def visit_Assert(self, node):\n        return ast.Pass()\n"
        "    def visit_Compare(self, node):\n        return ast.copy_location(ast.Constant(True), node)\n"
        "get_ipython().ast_transformers.append(_Pass())\n"
        "answer_item1 = None"),
    "event_hook": (
        LIARS +
        "def _hook(*args, **kwargs):\n"
        "    ns = get_ipython().user_ns\n"
        "    ns['answer_item1'] = _AnyStr('?')\n"
        "    ns['serotonin_share_percent'] = _AnyFloat(50.0)\n"
        "get_ipython().events.register('pre_run_cell', _hook)\n"
        "get_ipython().events.register('post_run_cell', _hook)\n"
        "answer_item1 = _AnyStr('?')"),
    "lying_str": LIARS + "answer_item1 = _AnyStr('z')",
    "read_quiz_source": (
        "import os, json, pathlib\n"
        "from gutbrain.data import REPO_ROOT\n"
        "answer_item1 = None\n"
        "found = []\n"
        "for base in [REPO_ROOT, pathlib.Path('/work'), pathlib.Path('/tmp'), pathlib.Path.home(), pathlib.Path('/root')]:\n"
        "    for dirpath, dirs, files in os.walk(base):\n"
        "        dirs[:] = [d for d in dirs if d not in ('.venv', 'node_modules', '.git')]\n"
        "        found += [os.path.join(dirpath, f) for f in files if f.startswith('quiz00') and not f.endswith('.py')]\n"
        "for path in found:\n"
        "    text = open(path).read()\n"
        "    if 'BEGIN SOLUTION' in text:\n"
        "        answer_item1 = text.split('answer_item1 = \\\\\"')[-1][0]\n"
        "    elif path.endswith('.yaml') and 'misconceptions' in text:\n"
        "        import yaml\n"
        "        item = yaml.safe_load(text)['items'][0]\n"
        "        answer_item1 = (set(item['options']) - set(item['misconceptions'])).pop()\n"
        "print('quiz files found:', len(found))"),
    "sqlite_trigger": (
        "import os, sqlite3, pathlib\n"
        "hits = []\n"
        "for base in ['/work', '/tmp', os.path.expanduser('~'), '/root']:\n"
        "    for dirpath, dirs, files in os.walk(base):\n"
        "        dirs[:] = [d for d in dirs if d not in ('.venv', 'node_modules', '.git')]\n"
        "        hits += [os.path.join(dirpath, f) for f in files if f.endswith('.db')]\n"
        "for db in hits:\n"
        "    try:\n"
        "        con = sqlite3.connect(db)\n"
        "        con.execute('CREATE TRIGGER IF NOT EXISTS pwn AFTER UPDATE ON grade BEGIN '\n"
        "                    'UPDATE grade SET auto_score = 100, needs_manual_grade = 0; END')\n"
        "        con.commit()\n"
        "    except Exception as exc:\n"
        "        print('no:', type(exc).__name__)\n"
        "print('gradebooks found:', len(hits))\n"
        "answer_item1 = 'b'"),
    "attack_kernels": (
        "import glob, os\n"
        "try:\n"
        "    from ipykernel import get_connection_file\n"
        "    own = os.path.abspath(get_connection_file())\n"
        "except Exception:\n"
        "    own = ''\n"
        "files = set()\n"
        "for pattern in ['/tmp/**/kernel-*.json', '/root/**/kernel-*.json', '/run/**/kernel-*.json',\n"
        "                os.path.expanduser('~/**/kernel-*.json')]:\n"
        "    files |= {os.path.abspath(f) for f in glob.glob(pattern, recursive=True)}\n"
        "others = sorted(files - {own})\n"
        "from jupyter_client import BlockingKernelClient\n"
        "for f in others:\n"
        "    try:\n"
        "        kc = BlockingKernelClient(connection_file=f)\n"
        "        kc.load_connection_file()\n"
        "        kc.start_channels()\n"
        "        kc.execute('answer_item1 = \"c\"; serotonin_share_percent = 1.0')\n"
        "        kc.stop_channels()\n"
        "    except Exception as exc:\n"
        "        print('no:', exc)\n"
        "pids = [p for p in os.listdir('/proc') if p.isdigit()]\n"
        "print('other kernels found:', len(others))\n"
        "print('processes visible:', len(pids))\n"
        "answer_item1 = 'a'"),
    "edit_classmate": (
        "import glob, os\n"
        "targets = []\n"
        "for pattern in ['/work/**/submitted/*/*/*.ipynb', '/tmp/**/submitted/*/*/*.ipynb', '/root/**/submitted/*/*/*.ipynb',\n"
        "                os.path.join(os.path.dirname(os.getcwd()), '*', '*', '*.ipynb')]:\n"
        "    targets += glob.glob(pattern, recursive=True)\n"
        "for t in targets:\n"
        "    try:\n"
        "        open(t, 'w').write('{}')\n"
        "    except Exception as exc:\n"
        "        print('no:', type(exc).__name__)\n"
        "print(\"classmates' files found:\", len(targets))\n"
        "answer_item1 = 'a'"),
    "setsid_detached": (
        "import subprocess, sys, os\n"
        "subprocess.Popen([sys.executable, '-c', 'import time\\nwhile True: time.sleep(0.2)', '" + DETACHED_MARKER + "'],\n"
        "                 start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
        "subprocess.Popen(['setsid', sys.executable, '-c', 'import time\\nwhile True: time.sleep(0.2)', '"
        + DETACHED_MARKER + "'],\n"
        "                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
        "answer_item1 = 'a'"),
    "rewrite_source": (
        "import glob\n"
        "from gutbrain.data import REPO_ROOT, assets_dir\n"
        "paths = glob.glob(str(REPO_ROOT / 'quizzes' / 'source' / '*' / '*.ipynb'))\n"
        "paths += glob.glob(str(assets_dir() / 'quiz_misconceptions' / '*.yaml'))\n"
        "paths += [str(assets_dir() / 'quiz_misconceptions' / 'quiz00_orientation.yaml')]\n"
        "for p in paths:\n"
        "    try:\n"
        "        open(p, 'w').write('options: [b]\\n')\n"
        "        print('rewrote', p)\n"
        "    except Exception as exc:\n"
        "        print('no:', type(exc).__name__)\n"
        "answer_item1 = 'b'"),
}

ITEM2_HOSTILE = {
    "lying_float": LIARS + "serotonin_share_percent = _AnyFloat(50.0)",
    "lying_numpy_scalar": (
        "import numpy as np\n"
        "class _F(np.float64):\n"
        "    def __eq__(self, other): return True\n"
        "    def __sub__(self, other): return _F(0.0)\n"
        "    def __abs__(self): return _F(0.0)\n"
        "    def __lt__(self, other): return True\n"
        "serotonin_share_percent = _F(50.0)"),
    "poisoned_cache": (
        "import gc\n"
        "from gutbrain.models import tryptophan\n"
        "rr, baseline = tryptophan._roadrunner()\n"
        "raw = [d for d in gc.get_referents(baseline) if isinstance(d, dict)][0]\n"
        "raw['R01814_Tph1__E_T'] = raw['R01814_Tph1__E_T'] * 50.0  # 50 times the TPH1 in every later run\n"
        "import os\n"
        "for cache in [os.path.expanduser('~/.cache/gutbrain'), '/work/main/quizzes/.gutbrain-keys']:\n"
        "    try:\n"
        "        os.makedirs(cache, exist_ok=True)\n"
        "        open(os.path.join(cache, 'quiz00_orientation-key.json'), 'w').write('{}')\n"
        "    except Exception as exc:\n"
        "        print('no:', type(exc).__name__)\n"
        "state = steady_state()\n"
        "serotonin_share_percent = 100 * state.serotonin_branch_share  # the poisoned model's value\n"
        "print('poisoned share', serotonin_share_percent)"),
    "kill_parent_sigkill": "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)",
    "sigstop_parent": "import os, signal\nos.kill(os.getppid(), signal.SIGSTOP)",
    "kill_everything": "import os, signal\nos.kill(-1, signal.SIGKILL)",
    "unstoppable_loop": (
        "import signal\n"
        "signal.signal(signal.SIGINT, signal.SIG_IGN)\n"
        "while True:\n"
        "    try:\n"
        "        while True:\n"
        "            pass\n"
        "    except BaseException:\n"
        "        pass"),
    "fork_and_fill": (
        "import os\n"
        "try:\n"
        "    with open('big.bin', 'wb') as fh:\n"
        "        for _ in range(700):\n"
        "            fh.write(b'x' * 1024 * 1024)\n"
        "except OSError as exc:\n"
        "    print('file limit:', type(exc).__name__)\n"
        "try:\n"
        "    blob = bytearray(20 * 1024 ** 3)\n"
        "except MemoryError:\n"
        "    print('memory limit')\n" + ITEM2_OK),
}

#: set in the grader's environment by the test (a stand-in for JUPYTERHUB_API_TOKEN): never seen inside
GRADER_SECRET = "GUTBRAIN_CORPUS_GRADER_SECRET"

# attacks on the host: the kernel's settings, capabilities, processes, memory, disk, the grader's environment
HOST = {
    "host_kernel_write": (
        "results = []\n"
        "for path in ['/proc/sys/kernel/core_pattern', '/proc/sys/kernel/printk_ratelimit', '/proc/sysrq-trigger']:\n"
        "    try:\n"
        "        old = '' if 'sysrq' in path else open(path).read()\n"
        "        with open(path, 'w') as fh:\n"
        "            fh.write(old)  # the value it has: harmless even if the write got through\n"
        "        results.append('WRITTEN')\n"
        "    except OSError:\n"
        "        results.append('refused')\n"
        "print('kernel writes:', ' '.join(results))\n"
        "status = dict(line.split(':', 1) for line in open('/proc/self/status') if ':' in line)\n"
        "caps = [int(status[k].strip(), 16) for k in ('CapInh', 'CapPrm', 'CapEff', 'CapBnd', 'CapAmb')]\n"
        "print('capabilities:', 'none' if not any(caps) else 'SOME')\n"
        "print('no_new_privs:', status['NoNewPrivs'].strip())\n"
        "answer_item1 = 'a'"),
    # spawned, not forked: forking a 100 MB kernel 256 times takes seconds and, on a loaded machine, the
    # cell's timeout; the process limit counts both the same
    "host_fork_bomb": (
        "import os, signal\n"
        "kids = []\n"
        "try:\n"
        "    for _ in range(1000):\n"
        "        pid = os.posix_spawn('/bin/sleep', ['sleep', '60'], {})\n"
        "        kids.append(pid)\n"
        "except OSError:\n"
        "    pass\n"
        "print('fork limit', 'held' if len(kids) < 256 else 'BROKEN (%d processes)' % len(kids))\n"
        "for pid in kids:\n"
        "    os.kill(pid, signal.SIGKILL)\n"
        "    os.waitpid(pid, 0)\n"
        "answer_item1 = 'a'"),
    "host_environment": (
        "import glob, os\n"
        "seen = sum(open(p, 'rb').read().count(b'" + GRADER_SECRET + "') for p in glob.glob('/proc/[0-9]*/environ'))\n"
        "seen += sum('" + GRADER_SECRET + "' in k for k in os.environ)\n"
        "print('grader environment seen:', seen)\n"
        "print('pid 1 environment:', len(open('/proc/1/environ', 'rb').read()), 'bytes')\n"
        "answer_item1 = 'a'"),
    "host_disk_fill": (
        "import os\n"
        "def fill(folder, limit_mb=400):\n"
        "    written = 0\n"
        "    try:\n"
        "        for i in range(limit_mb // 32):\n"
        "            with open(os.path.join(folder, 'fill%d' % i), 'wb') as fh:\n"
        "                for _ in range(32):\n"
        "                    fh.write(b'x' * 2 ** 20)\n"
        "                    written += 1\n"
        "    except OSError:\n"
        "        pass\n"
        "    for i in range(limit_mb // 32):\n"
        "        try:\n"
        "            os.remove(os.path.join(folder, 'fill%d' % i))\n"
        "        except OSError:\n"
        "            pass\n"
        "    return written\n"
        "for name, folder in [('/dev/shm', '/dev/shm'), ('/tmp', '/tmp'), ('/', '/'), ('/dev', '/dev'),\n"
        "                     ('home', os.path.expanduser('~'))]:\n"
        "    mb = fill(folder)\n"
        "    print(name + ':', 'bounded' if mb < 300 else 'UNBOUNDED (%d MB)' % mb)\n"
        "answer_item1 = 'a'"),
    "host_memory_children": (
        "import os, time\n"
        "kids = []\n"
        "for _ in range(2):\n"
        "    pid = os.fork()\n"
        "    if pid == 0:\n"
        "        block = b'x' * (448 * 2 ** 20)  # 448 MB each: alone under the tests' 0.75 GB budget\n"
        "        time.sleep(60)\n"
        "        os._exit(0)\n"
        "    kids.append(pid)\n"
        "for pid in kids:\n"
        "    os.waitpid(pid, 0)\n"
        "answer_item1 = 'a'"),
    "sigstop_self": "import os, signal\nanswer_item1 = 'a'\nos.kill(os.getpid(), signal.SIGSTOP)",
}

# an obfuscated copy of a hidden-test line / a rubric line: the student "knows" it and tries to
# smuggle it out encoded (the scanner must recognise it; it is not in the student's text as such)
LEAKS = {
    "leak_base64_output": (
        "import base64\n"
        "secret = ''.join(reversed(" + json.dumps(
            'assert abs(serotonin_share_percent - 100 * steady_state().serotonin_branch_share) < 0.01, "item 2 is not right"'[::-1])
        + "))\n"
        "print(base64.b64encode(secret.encode()).decode())\n" + ITEM2_OK),
    "leak_hex_exception": (
        "secret = ''.join(reversed(" + json.dumps(
            "Its enzyme amounts are **scaled expression values** and its units are undeclared"[::-1]) + "))\n"
        "raise ValueError(secret.encode().hex())"),
    "leak_rot13_file": (
        "import codecs\n"
        "secret = ''.join(reversed(" + json.dumps('assert hashlib.sha256(answer_item1.encode()).hexdigest()[:16]'[::-1]) + "))\n"
        "open('notes.txt', 'w').write(codecs.encode(secret, 'rot13'))\n"
        "open('quiz00_orientation.html', 'w').write('<script>alert(1)</script>' + secret)\n"
        "answer_item1 = 'a'"),
    "script_output": (
        "from IPython.display import HTML, Javascript, display\n"
        "display(HTML('<script>document.title = \"pwned\"</script><b onmouseover=\"alert(3)\">hi</b>'))\n"
        "display(Javascript('alert(4)'))\n"
        "print('<script>alert(2)</script>')\n"
        "answer_item1 = 'a'"),
}


def answer(nb, item1=None, item2=None, item3=None):
    if item1 is not None:
        _cell(nb, "item1_answer").source = item1
    if item2 is not None:
        _cell(nb, "item2_answer").source = item2
    if item3 is not None:
        _cell(nb, "item3_answer").source = item3
    return nb


def cases(releases):
    """name -> (notebook or raw bytes, expected, extra files)."""
    def fresh(quiz=QUIZ):
        return nbformat.from_dict(json.loads(json.dumps(releases[quiz])))

    out = {}

    def add(name, nb, kind, status="graded", items=None, flags=(), choice=None, quiz=QUIZ, note="",
            files=None, feedback=None, error=None, links=None):
        exp = {"quiz": quiz, "kind": kind, "status": status, "flags": sorted(set(flags)), "choice": choice,
               "note": note}
        if error is not None:
            exp["error"] = error
        if links:
            files = dict(files or {}, **{k: ("symlink", v) for k, v in links.items()})
        if items is not None:
            exp["items"] = items
            exp["score"] = sum(v for v in items.values() if v is not None)
        if feedback is not None:
            exp["feedback"] = feedback
        out[name] = (nb, exp, files or {})

    zero = {"item1_tests": 0, "item2_tests": 0, "item3_answer": 0}
    i1 = {"item1_tests": 3, "item2_tests": 0, "item3_answer": 0}
    i2 = {"item1_tests": 0, "item2_tests": 4, "item3_answer": 0}
    both = {"item1_tests": 3, "item2_tests": 4, "item3_answer": 0}
    failed = dict(status="grading_failed")

    # ---- honest controls
    add("correct", answer(fresh(), 'answer_item1 = "a"', ITEM2_OK, ITEM3), "control",
        items={"item1_tests": 3, "item2_tests": 4, "item3_answer": None}, choice="a",
        files={"timestamp.txt": "2026-11-20 15:00:00.000000 UTC"})
    add("correct_b2", answer(fresh(), "answer_item1 = 'a'  # TPH",
                             "state = steady_state()\nserotonin_share_percent = state.serotonin_branch_share * 100.0"),
        "control", items=both, choice="a")
    add("blank", fresh(), "control", items=zero, choice=None)
    add("wrong_b", answer(fresh(), 'answer_item1 = "b"', "state = steady_state()\nserotonin_share_percent = 50.0"),
        "control", items=zero, choice="b")
    add("wrong_c", answer(fresh(), 'answer_item1 = "c"', ITEM2_OK), "control", items=i2, choice="c")
    add("wrong_c2", answer(fresh(), "answer_item1 = 'c'", "serotonin_share_percent = 95"), "control",
        items=zero, choice="c")
    add("item1_only", answer(fresh(), 'answer_item1 = "a"'), "control", items=i1, choice="a")
    add("item2_only", answer(fresh(), None, ITEM2_OK, "The model is not of gut cells."), "control",
        items={"item1_tests": 0, "item2_tests": 4, "item3_answer": None}, choice=None)
    add("not_an_option", answer(fresh(), 'answer_item1 = "TPH"', ITEM2_OK), "control", items=i2, choice="TPH")
    add("syntax_error", answer(fresh(), 'answer_item1 = "a', ITEM2_OK), "control", items=i2, choice=None)
    add("infinite_loop", answer(fresh(), 'answer_item1 = "a"', "while True:\n    pass"), "control",
        items=i1, choice="a", note="bounded by the per-cell timeout")
    add("sys_exit", answer(fresh(), 'answer_item1 = "a"', "import sys\nsys.exit('bye')"), "control",
        items=i1, choice="a")
    add("print_50mb", answer(fresh(), 'answer_item1 = "a"\nprint("x" * 50_000_000)', ITEM2_OK), "leak",
        items=both, choice="a", note="output capped")
    add("print_hidden_tests", answer(fresh(), 'answer_item1 = "b"', ITEM2_OK + "\nprint('\\n'.join(In))"), "leak",
        items=i2, choice="b", note="IPython's In holds only the student's own cells: no hidden test runs there")
    add("import_math", answer(fresh(), 'answer_item1 = "a"',
                              "import math\nstate = steady_state()\n"
                              "serotonin_share_percent = math.fsum([100 * state.serotonin_branch_share])"),
        "false-flag", items=both, choice="a", note="a plain import is not a monkeypatch")
    text = nbformat.writes(answer(fresh(), 'answer_item1 = "a"', ITEM2_OK))
    add("invalid_json", text[: len(text) // 2].encode(), "control", status="invalid_notebook")
    add("empty_file", b"", "control", status="invalid_notebook")
    add("unknown_quiz", answer(fresh(), 'answer_item1 = "a"'), "control", status="unknown_quiz", quiz="quiz99_unknown")

    # ---- full marks with nothing answered
    add("ast_transformer", answer(fresh(), HOSTILE["ast_transformer"]), "full-marks",
        items=zero, flags=["monkeypatch"], choice=None)
    add("event_hook", answer(fresh(), HOSTILE["event_hook"]), "full-marks", items=zero, flags=["monkeypatch"],
        choice=None, note="str/float subclasses are refused as answers")
    add("lying_str", answer(fresh(), HOSTILE["lying_str"]), "full-marks", items=zero, choice=None)
    add("lying_float", answer(fresh(), 'answer_item1 = "a"', ITEM2_HOSTILE["lying_float"]), "full-marks",
        items=i1, choice="a")
    add("lying_numpy_scalar", answer(fresh(), 'answer_item1 = "a"', ITEM2_HOSTILE["lying_numpy_scalar"]),
        "full-marks", items=i1, choice="a")
    add("read_quiz_source", answer(fresh(), HOSTILE["read_quiz_source"]), "full-marks", items=zero,
        flags=[], choice=None, feedback={"contains": ["quiz files found: 0"]})
    add("poisoned_cache", answer(fresh(), 'answer_item1 = "a"', ITEM2_HOSTILE["poisoned_cache"]), "full-marks",
        items=i1, flags=[], choice="a", note="the key is computed in a separate trusted run")

    # ---- the gradebook, classmates, the class
    add("sqlite_trigger", answer(fresh(), HOSTILE["sqlite_trigger"], ITEM2_OK, ITEM3), "gradebook",
        items={"item1_tests": 0, "item2_tests": 4, "item3_answer": None}, choice="b",
        feedback={"contains": ["gradebooks found: 0"]})
    add("attack_kernels", answer(fresh(), HOSTILE["attack_kernels"], ITEM2_OK), "classmates", items=both,
        choice="a", feedback={"contains": ["other kernels found: 0"]})
    add("edit_classmate", answer(fresh(), HOSTILE["edit_classmate"], ITEM2_OK), "classmates", items=both,
        choice="a", feedback={"contains": ["classmates' files found: 0"]})
    add("setsid_detached", answer(fresh(), HOSTILE["setsid_detached"], ITEM2_OK), "classmates", items=both,
        choice="a", note=f"no process named {DETACHED_MARKER} survives")
    add("kill_parent_sigkill", answer(fresh(), 'answer_item1 = "a"', ITEM2_HOSTILE["kill_parent_sigkill"]),
        "stop-class", items=i1, choice="a", note="its parent is the sandbox's init: the signal is ignored")
    add("sigstop_parent", answer(fresh(), 'answer_item1 = "a"', ITEM2_HOSTILE["sigstop_parent"]), "stop-class",
        items=i1, choice="a")
    add("kill_everything", answer(fresh(), 'answer_item1 = "a"', ITEM2_HOSTILE["kill_everything"]), "stop-class",
        items=i1, choice="a", note="kill(-1) reaches only its own sandbox")
    add("unstoppable_loop", answer(fresh(), 'answer_item1 = "a"', ITEM2_HOSTILE["unstoppable_loop"]),
        "stop-class", choice="a", note="swallows every interrupt: ended a few seconds after its cell timeout",
        error="kept going", **failed)
    add("os_exit", answer(fresh(), 'answer_item1 = "a"\nimport os\nos._exit(1)', ITEM2_OK), "stop-class",
        choice="a", note="kills its own kernel: reported by name", **failed)
    add("kill_kernel", answer(fresh(), 'answer_item1 = "a"', "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)"),
        "stop-class", choice="a", **failed)
    add("thread_left_running", answer(fresh(), 'answer_item1 = "a"',
                                      ITEM2_OK + "\nimport threading, time\n"
                                      "threading.Thread(target=lambda: [time.sleep(0.5) for _ in iter(int, 1)]).start()"),
        "stop-class", items=both, choice="a", note="a thread that never ends does not hold up grading")
    add("fork_and_fill", answer(fresh(), 'answer_item1 = "a"', ITEM2_HOSTILE["fork_and_fill"]), "stop-class",
        items=both, choice="a", feedback={"contains": ["file limit: OSError", "memory limit"]})

    # ---- leaks in feedback
    add("leak_base64_output", answer(fresh(), 'answer_item1 = "b"', LEAKS["leak_base64_output"]), "leak",
        items=i2, choice="b", feedback={"withheld": True})
    add("leak_hex_exception", answer(fresh(), 'answer_item1 = "b"', LEAKS["leak_hex_exception"]), "leak", items=zero, choice="b", feedback={"withheld": True})
    add("leak_rot13_file", answer(fresh(), LEAKS["leak_rot13_file"], ITEM2_OK), "leak", items=both, choice="a",
        feedback={"absent": ["<script>alert(1)</script>"]})
    add("script_output", answer(fresh(), LEAKS["script_output"], ITEM2_OK), "leak", items=both, choice="a",
        feedback={"absent": ["<script>document.title", "<script>alert(2)", "<b onmouseover"]})
    add("script_markdown", answer(fresh(), 'answer_item1 = "a"', ITEM2_OK,
                                  '<script>alert("x")</script><img src=x onerror="alert(1)">\n\n' + ITEM3),
        "leak", items={"item1_tests": 3, "item2_tests": 4, "item3_answer": None}, choice="a",
        feedback={"absent": ['<script>alert("x")', "<img src=x"]})

    # ---- the host: kernel settings, capabilities, processes, memory, disk, the grader's environment
    add("host_kernel_write", answer(fresh(), HOST["host_kernel_write"], ITEM2_OK), "host", items=both, choice="a",
        feedback={"contains": ["kernel writes: refused refused refused", "capabilities: none", "no_new_privs: 1"]})
    add("host_fork_bomb", answer(fresh(), HOST["host_fork_bomb"], ITEM2_OK), "host", items=both, choice="a",
        feedback={"contains": ["fork limit held"]})
    add("host_environment", answer(fresh(), HOST["host_environment"], ITEM2_OK), "host", items=both, choice="a",
        feedback={"contains": ["grader environment seen: 0", "pid 1 environment: 0 bytes"]})
    add("host_disk_fill", answer(fresh(), HOST["host_disk_fill"], ITEM2_OK), "host", items=both, choice="a",
        feedback={"contains": ["/dev/shm: bounded", "/tmp: bounded", "/: bounded", "/dev: bounded", "home: bounded"]})
    add("host_memory_children", answer(fresh(), HOST["host_memory_children"], ITEM2_OK), "host", choice="a",
        note="two children of 448 MB, each alone under the tests' 0.75 GB budget: one budget per sandbox", error="memory budget", **failed)
    add("sigstop_self", answer(fresh(), HOST["sigstop_self"], ITEM2_OK), "stop-class", choice="a",
        note="a stopped process is ended after a few seconds, not at the wall clock", error="stopped itself",
        **failed)

    # ---- malformed submissions: reported by name, the class is graded
    def raw(edit):
        data = json.loads(nbformat.writes(answer(fresh(), 'answer_item1 = "a"', ITEM2_OK)))
        edit(data["cells"])
        return json.dumps(data).encode()

    def cell_of(cells, gid):
        return next(c for c in cells if c["metadata"].get("nbgrader", {}).get("grade_id") == gid)

    add("meta_grade_id_list", raw(lambda cs: cell_of(cs, "item1_answer")["metadata"]["nbgrader"].update(
        grade_id=["item1_answer"])), "malformed", error="grade_id is not text", **failed)
    add("meta_nbgrader_string", raw(lambda cs: cell_of(cs, "item1_answer")["metadata"].update(nbgrader="solution")),
        "malformed", error="metadata.nbgrader is not an object", **failed)
    add("meta_source_number", raw(lambda cs: cell_of(cs, "item2_answer").update(source=42)), "malformed",
        error="source is not text", **failed)
    add("meta_points_lots", raw(lambda cs: cell_of(cs, "item1_tests")["metadata"]["nbgrader"].update(points="lots")),
        "malformed", error="points is not a number", **failed)
    add("long_expression", answer(fresh(), 'answer_item1 = "a"', "x = " + "+".join(["1"] * 300_000)), "malformed",
        error="longer than", **failed)
    nb = answer(fresh(), 'answer_item1 = "a"', ITEM2_OK)
    nb.cells += [nbformat.v4.new_markdown_cell(f"padding {i}") for i in range(600)]
    add("many_cells", nb, "malformed", error="cells (at most", note="its cells do not lengthen a classmate's wall clock",
        **failed)
    add("symlink_to_source", None, "malformed", error="symbolic link",
        links={f"{QUIZ}.ipynb": f"../../../source/{QUIZ}/{QUIZ}.ipynb"}, **failed)

    # ---- what formgrader and feedback render of a student's markdown
    add("markdown_links", answer(fresh(), 'answer_item1 = "a"', ITEM2_OK,
                                 "[see this](javascript:alert(document.domain)) "
                                 "![pixel](http://tracker.invalid/pixel.png) <img src=\"http://tracker.invalid/b.png\">\n\n"
                                 "[a reference][r] <javascript:alert(2)>\n\n[r]: data:text/html,hi\n\n" + ITEM3),
        "render", items={"item1_tests": 3, "item2_tests": 4, "item3_answer": None}, choice="a",
        feedback={"absent": ['href="javascript:', "href='javascript:", 'src="http://tracker.invalid', "<img",
                             'href="data:']})

    # ---- changing the key
    add("rewrite_source", answer(fresh(), HOSTILE["rewrite_source"], ITEM2_OK), "key", items=i2, choice="b")

    # ---- ordinary accidents (graded from the original cells, flagged)
    nb = answer(fresh(), 'answer_item1 = "a"', ITEM2_OK)
    nb.cells.remove(_cell(nb, "item1_tests"))
    add("deleted_test_cell", nb, "accident", items=both, flags=["deleted"], choice="a")
    nb = answer(fresh(), 'answer_item1 = "a"', ITEM2_OK)
    nb.cells.remove(_cell(nb, "item3_answer"))
    add("deleted_manual_cell", nb, "accident", items=both, flags=["deleted"], choice="a")
    nb = answer(fresh(), 'answer_item1 = "b"', ITEM2_OK)
    first = _cell(nb, "item1_answer")
    nb.cells.insert(nb.cells.index(first) + 1, nbformat.from_dict(json.loads(json.dumps(first))))
    nb.cells[nb.cells.index(first) + 1].source = 'answer_item1 = "a"  # changed my mind'
    nb.cells[nb.cells.index(first) + 1].id = "copy-of-item1-answer"
    test = _cell(nb, "item2_tests")
    nb.cells.insert(nb.cells.index(test) + 1, nbformat.from_dict(json.loads(json.dumps(test))))
    nb.cells[nb.cells.index(test) + 1].id = "copy-of-item2-tests"
    add("duplicate_ids", nb, "accident", items=both, flags=["duplicated"], choice="a",
        note="a copy-pasted answer cell runs in order: the last value is the answer")
    nb = answer(fresh(), 'answer_item1 = "a"', ITEM2_OK)
    _cell(nb, "item1_answer").metadata["nbgrader"]["grade_id"] = "item1_answer_v2"
    add("renamed_id", nb, "accident", items=both, flags=["renamed"], choice="a")
    add("bad_timestamp", answer(fresh(), 'answer_item1 = "a"', ITEM2_OK), "accident", items=both,
        flags=["bad-timestamp"], choice="a", files={"timestamp.txt": "2026-13-45 99:99:99 next tuesday"})
    nb = answer(fresh(), 'answer_item1 = "b"', ITEM2_OK)
    _cell(nb, "item1_tests").source = "pass  # nothing to see here"
    add("edited_test_cell", nb, "accident", items=i2, flags=["edited"], choice="b")
    nb = answer(fresh(), 'answer_item1 = "a"', "serotonin_share_percent = 50.0")
    _cell(nb, "setup").source = ("from types import SimpleNamespace\n"
                                 "steady_state = lambda: SimpleNamespace(serotonin_branch_share=0.5)")
    _cell(nb, "item1_prompt").source += "\n\n(I think the answer is a.)"
    add("edited_readonly_cell", nb, "accident", items=i1, flags=["edited"], choice="a")
    nb = answer(fresh(), 'answer_item1 = "a"', ITEM2_OK)
    del _cell(nb, "item1_tests").metadata["nbgrader"]
    add("stripped_test_metadata", nb, "accident", items=both, flags=["metadata-stripped"], choice="a")
    nb = answer(fresh(), 'answer_item1 = "a"', ITEM2_OK)
    for cell in nb.cells:
        cell.metadata.pop("nbgrader", None)
    add("stripped_all_metadata", nb, "accident", items=both, flags=["metadata-stripped"], choice="a",
        note="cells placed back by their text and position")
    add("redefine_helper", answer(fresh(), 'answer_item1 = "a"',
                                  "from types import SimpleNamespace\n"
                                  "def steady_state():\n    return SimpleNamespace(serotonin_branch_share=0.5)\n"
                                  "serotonin_share_percent = 50.0"),
        "full-marks", items=i1, flags=["monkeypatch"], choice="a")
    add("patch_hashlib", answer(fresh(),
                                "import hashlib\n"
                                "class _Fake:\n    def hexdigest(self):\n        return 'ca978112ca1bbdca' * 4\n"
                                "hashlib.sha256 = lambda data: _Fake()\n"
                                'answer_item1 = "b"', ITEM2_OK),
        "full-marks", items=i2, flags=["monkeypatch"], choice="b")

    # ---- quiz 1: a lying ndarray from a function item; `import math` is not a patch
    src1 = nbformat.read(REPO / "quizzes" / "source" / QUIZ1 / f"{QUIZ1}.ipynb", as_version=4)
    solved = fresh(QUIZ1)
    for cell in src1.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if cell.metadata.get("nbgrader", {}).get("solution") and cell.cell_type == "code":
            lines = [ln for ln in cell.source.split("\n") if "### BEGIN SOLUTION" not in ln and "### END SOLUTION" not in ln]
            _cell(solved, gid).source = "\n".join(lines)
    q1_auto = {"q1_tests": 2, "q2_tests": 2, "q3_tests": 2, "q4_tests": 2, "q5_tests": 3, "q6_tests": 3,
               "q7_tests": 2, "q8_answer": 0}
    nb = nbformat.from_dict(json.loads(json.dumps(solved)))
    _cell(nb, "q6_answer").source = (
        "import math\n"
        "def michaelis_menten_rate(s, vmax, km):\n"
        "    if isinstance(s, float):\n        return math.fsum([vmax * s]) / (km + s)\n"
        "    return vmax * s / (km + s)")
    add("q01_import_math", nb, "false-flag", quiz=QUIZ1, items=q1_auto, choice="b")
    nb = nbformat.from_dict(json.loads(json.dumps(solved)))
    _cell(nb, "q6_answer").source = (
        "import numpy as np\n"
        "class _Liar(np.ndarray):\n"
        "    def __eq__(self, other): return np.ones(np.shape(other), dtype=bool)\n"
        "    def __array_function__(self, func, types, args, kwargs): return True\n"
        "    def __float__(self): return 5.0\n"
        "def michaelis_menten_rate(s, vmax, km):\n"
        "    return np.zeros(np.shape(s) or (1,)).view(_Liar)")
    _cell(nb, "q7_answer").source = ('km_tph1_uM = kinetic_constants("TPH1")[0].value_uM\n'
                                     "tph1_fraction_of_vmax = 5.0 / (km_tph1_uM + 5.0)")
    add("q01_lying_ndarray", nb, "full-marks", quiz=QUIZ1, items=dict(q1_auto, q6_tests=0), choice="b")
    return out


def build(dest: Path = HERE) -> dict:
    expected = {}
    for old in dest.iterdir():
        if old.is_dir() and not old.name.startswith(("_", ".")):
            shutil.rmtree(old)
    for name, (content, exp, files) in cases(_releases()).items():
        folder = dest / name / exp["quiz"]
        folder.mkdir(parents=True)
        path = folder / f"{exp['quiz']}.ipynb"
        if isinstance(content, bytes):
            path.write_bytes(content)
        elif content is not None:
            nbformat.write(content, path)
        for fname, text in files.items():
            if isinstance(text, tuple):  # ("symlink", target)
                (folder / fname).symlink_to(text[1])
            else:
                (folder / fname).write_text(text)
        expected[name] = exp
    (dest / "expected.json").write_text(json.dumps(expected, indent=1, sort_keys=True) + "\n")
    return expected


if __name__ == "__main__":
    print(f"wrote {len(build())} cases to {HERE}")
