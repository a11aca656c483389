#!/usr/bin/env python3
"""CI check: the BPMN that `laksana sop export --format bpmn` writes is valid BPMN 2.0 and runs.

1. Exports the seed SOP with the laksana binary (to standard output, and with -o: same bytes).
2. Validates it against the OMG BPMN 2.0 XSDs (BPMN20.xsd, Semantic.xsd, BPMNDI.xsd, DC.xsd,
   DI.xsd) as shipped inside the SpiffWorkflow package, with lxml.
3. Runs it in SpiffWorkflow 3 completing every READY user task with approved = 1: every step
   once, in order, each in the lane of its pelaksana (11 user tasks for the seed).
4. Runs it again returning each decision step once (approved = 0 the first time): for step 2 of
   the seed that is 1, 2, 1, 2, 3 … 11 = 13 user tasks.
5. `laksana sop import --format bpmn` of the export gives back the same TOML data as the seed,
   and import refuses a DOCTYPE and a parallel gateway naming the element.

Bootstraps its own venv (LAKSANA_CI_VENV, default /tmp/laksana-ci-venv) with
SpiffWorkflow>=3,<4 and lxml from PyPI, then re-executes itself there.

Usage:  python3 .ci/bpmn_spiff_check.py [--laksana PATH/TO/laksana] [--sop FILE]
        (the binary also from LAKSANA_BIN, else $CARGO_TARGET_DIR/debug/laksana)
Exit 0 when every check passes; 1 with a message naming the failed check otherwise.
"""
import os
import subprocess
import sys

VENV = os.environ.get("LAKSANA_CI_VENV", "/tmp/laksana-ci-venv")
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def bootstrap():
    py = os.path.join(VENV, "bin", "python")
    if os.path.realpath(sys.prefix) != os.path.realpath(VENV):
        if not os.path.exists(py):
            subprocess.check_call([sys.executable, "-m", "venv", VENV])
        os.execv(py, [py] + sys.argv)
    try:
        from importlib.metadata import version

        import lxml  # noqa: F401
        import SpiffWorkflow  # noqa: F401

        if not version("SpiffWorkflow").startswith("3."):
            raise ImportError
    except ImportError:
        subprocess.check_call(
            [py, "-m", "pip", "install", "-q", "--disable-pip-version-check", "SpiffWorkflow>=3,<4", "lxml"]
        )


bootstrap()

import argparse  # noqa: E402
import tempfile  # noqa: E402
import tomllib  # noqa: E402
from importlib.metadata import version  # noqa: E402

from lxml import etree  # noqa: E402
import SpiffWorkflow.bpmn.parser as spiff_parser  # noqa: E402
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnParser, BpmnValidator  # noqa: E402
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow  # noqa: E402
from SpiffWorkflow.util.task import TaskState  # noqa: E402

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SCHEMA_DIR = os.path.join(os.path.dirname(spiff_parser.__file__), "schema")


class CheckFailed(Exception):
    pass


def check(condition, message):
    if not condition:
        raise CheckFailed(message)


def laksana(binary, *args):
    return subprocess.run([binary, *args], capture_output=True, env={**os.environ, "RUST_LOG": "error"})


def default_binary():
    if os.environ.get("LAKSANA_BIN"):
        return os.environ["LAKSANA_BIN"]
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(REPO, "target"))
    return os.path.join(target, "debug", "laksana")


def task_id(step_key):
    return "Task_" + step_key.replace("-", "_")


def export(binary, sop, workdir):
    out = laksana(binary, "sop", "export", "--format", "bpmn", sop)
    check(out.returncode == 0, f"`laksana sop export --format bpmn` gagal ({out.returncode}): {out.stderr.decode()}")
    path = os.path.join(workdir, "sop.bpmn")
    to_file = laksana(binary, "sop", "export", "--format", "bpmn", "-o", path, sop)
    check(to_file.returncode == 0, f"export -o gagal: {to_file.stderr.decode()}")
    with open(path, "rb") as f:
        check(f.read() == out.stdout, "export -o menulis isi yang berbeda dari standard output")
    print(f"ok  export: {len(out.stdout)} bait, -o sama dengan stdout")
    return path, out.stdout


def validate_xsd(data):
    xsd = os.path.join(SCHEMA_DIR, "BPMN20.xsd")
    for name in ("BPMN20.xsd", "Semantic.xsd", "BPMNDI.xsd", "DC.xsd", "DI.xsd"):
        check(os.path.exists(os.path.join(SCHEMA_DIR, name)), f"XSD {name} tidak ada di {SCHEMA_DIR}")
    schema = etree.XMLSchema(etree.parse(xsd))
    doc = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    if not schema.validate(doc):
        errors = "\n".join(f"  baris {e.line}: {e.message}" for e in schema.error_log)
        raise CheckFailed(f"BPMN tidak sah menurut XSD BPMN 2.0:\n{errors}")
    print(f"ok  XSD: sah menurut BPMN20.xsd (+ Semantic, BPMNDI, DC, DI) dari SpiffWorkflow {version('SpiffWorkflow')}")
    processes = doc.findall(f"{{{BPMN_NS}}}process")
    check(len(processes) == 1, f"diharapkan satu bpmn:process, ada {len(processes)}")
    return processes[0].get("id")


def load(path, process_id):
    try:
        parser = BpmnParser(validator=BpmnValidator())
        parser.add_bpmn_file(path)
        return parser.get_spec(process_id), parser.get_subprocess_specs(process_id)
    except Exception as e:  # SpiffWorkflow's ValidationException and anything else it raises
        raise CheckFailed(f"SpiffWorkflow menolak BPMN ini: {type(e).__name__}: {e}") from e


def run(spec, subs, return_at=None):
    """Completes READY user tasks until the end; approved = 0 the first time `return_at` completes."""
    wf = BpmnWorkflow(spec, subs)
    wf.do_engine_steps()
    trace = []
    returned = False
    for _ in range(1000):
        ready = wf.get_tasks(state=TaskState.READY, manual=True)
        if not ready:
            break
        check(len(ready) == 1, f"lebih dari satu tugas siap sekaligus: {[t.task_spec.name for t in ready]}")
        task = ready[0]
        name = task.task_spec.name
        reject = name == return_at and not returned
        returned = returned or reject
        task.data["approved"] = 0 if reject else 1
        trace.append((name, task.task_spec.lane))
        try:
            task.run()
            wf.do_engine_steps()
        except Exception as e:  # a condition SpiffWorkflow cannot evaluate, say
            raise CheckFailed(f"SpiffWorkflow gagal menjalankan {name}: {type(e).__name__}: {e}") from e
    check(wf.is_completed(), f"alur tidak selesai; jejak: {trace}")
    return trace


def run_checks(binary, sop_path):
    with open(sop_path, "rb") as f:
        sop_data = f.read()
    sop = tomllib.loads(sop_data.decode())
    roles = {r["kunci"]: r["nama"] for r in sop["pelaksana"]}
    steps = sorted(sop["langkah"], key=lambda s: s["nomor"])
    expected = [(task_id(s["kunci"]), roles[s["pelaksana"]]) for s in steps]

    with tempfile.TemporaryDirectory(prefix="laksana-bpmn-") as workdir:
        path, data = export(binary, sop_path, workdir)
        process_id = validate_xsd(data)
        spec, subs = load(path, process_id)

        trace = run(spec, subs)
        check(trace == expected, f"urutan/lajur tidak sesuai SOP:\n  dapat    {trace}\n  harapan  {expected}")
        print(f"ok  SpiffWorkflow {version('SpiffWorkflow')}: {len(trace)} userTask, urut, masing-masing di lajur pelaksananya")

        decisions = [s for s in steps if "keputusan" in s]
        check(any(s["nomor"] == 2 for s in decisions), "langkah 2 seed seharusnya langkah keputusan")
        for step in decisions:
            n, back = step["nomor"], step["keputusan"]["tidak"]
            trace = run(spec, subs, return_at=task_id(step["kunci"]))
            redo = expected[back - 1 : n]
            want = expected[:n] + redo + expected[n:]
            check(trace == want, f"kembali dari langkah {n}: jejak tidak sesuai:\n  dapat    {trace}\n  harapan  {want}")
            print(f"ok  SpiffWorkflow: langkah {n} dikembalikan sekali (approved = 0) -> ke langkah {back}, {len(trace)} userTask")

        out = laksana(binary, "sop", "import", "--format", "bpmn", path)
        check(out.returncode == 0, f"`laksana sop import` gagal: {out.stderr.decode()}")
        check(tomllib.loads(out.stdout.decode()) == tomllib.loads(sop_data.decode()),
              "TOML -> BPMN -> TOML tidak sama dengan TOML asal")
        print("ok  import: TOML -> BPMN -> TOML sama dengan definisi asal")

        text = data.decode()
        bad = {
            "doctype.bpmn": (text.replace("?>\n", '?>\n<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n', 1),
                             "DOCTYPE"),
            "parallel.bpmn": (text.replace('<bpmn:exclusiveGateway id="Gateway_2"', '<bpmn:parallelGateway id="Gateway_2"', 1)
                              .replace("</bpmn:exclusiveGateway>", "</bpmn:parallelGateway>", 1), "Gateway_2"),
        }
        for name, (content, needle) in bad.items():
            bad_path = os.path.join(workdir, name)
            with open(bad_path, "w") as f:
                f.write(content)
            out = laksana(binary, "sop", "import", "--format", "bpmn", bad_path)
            check(out.returncode == 1 and needle in out.stderr.decode(),
                  f"import {name}: harapan ditolak (exit 1) dengan '{needle}', dapat exit {out.returncode}: "
                  f"{out.stderr.decode()}")
        print("ok  import menolak DOCTYPE dan gerbang paralel dengan pesan yang menyebut elemennya")

        out = laksana(binary, "sop", "export", "--format", "mermaid", sop_path)
        check(out.returncode == 0 and b"flowchart TD" in out.stdout, "export --format mermaid gagal")
        print("ok  export --format mermaid")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--laksana", default=default_binary(), help="path of the laksana binary")
    ap.add_argument("--sop", default=os.path.join(REPO, "sop", "penyelenggaraan-pelatihan.toml"))
    a = ap.parse_args()
    if not os.path.exists(a.laksana):
        print(f"GAGAL: binary laksana tidak ada di {a.laksana} (cargo build --bin laksana dulu)", file=sys.stderr)
        return 1
    try:
        run_checks(a.laksana, a.sop)
    except CheckFailed as e:
        print(f"GAGAL: {e}", file=sys.stderr)
        return 1
    print("BPMN-cek berhasil: XSD sah, SpiffWorkflow menjalankannya sampai selesai, impor kembali tanpa kehilangan.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
