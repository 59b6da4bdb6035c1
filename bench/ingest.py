"""How fast does rubdown take in a runner's whole history?

Builds a synthetic Strava bulk export of 2,000 runs (a folder and its zip: ``activities.csv``
and ``activities/<upload id>.fit.gz``) from the corpus's running FIT files, each copy with its
dates moved to a day of its own, then measures, each phase in a fresh process:

* rubdown's full import (``rubdown import export.zip --json``: unpack, parse, dedupe, store),
  and the no-op re-import of the same export into the same home;
* rubdown's FIT decoder alone, on one core and on two (files gunzipped into memory first);
  the import's CPU time (main process and pool workers) is set against the one-core
  decode's, measured in the same run (aim: at most twice);
* decode-only with fitdecode, fitparse and garmin-fit-sdk, and rubdown's decoder again, on a
  stratified sample of the same files (the peers are about a hundred times slower).

Peak memory, per phase: the phase's own process (``VmHWM``, its own high-water mark), its
largest pool worker (``VmHWM``, reported by the worker or sampled every 0.1 s), and the whole
process tree (the sum of ``VmRSS``, sampled every 0.1 s; shared library pages count once per
process, so it is an upper bound). ``ru_maxrss`` (``RUSAGE_SELF`` and ``RUSAGE_CHILDREN``) is
read too and kept in the JSON, but on Linux a process inherits at ``exec`` the peak of the
process that started it (vfork shares the parent's memory map until then), so it cannot be
smaller than the parent's peak: a 10 MB child of a 500 MB parent reports 500 MB.

Hostile and huge inputs, next to the export (each imported once into a fresh home, in a
fresh process, measured the same way; both are generated in the temporary folder):

* a ratio bomb: a zip whose one GPX member inflates about 150:1 (under the 200:1 limit),
  ``--bomb-mb`` MiB inflated (default 1,500: the 10 MB zip of issue 11);
* a large GPX on disk, ``--gpx-mb`` MiB (default 500) of one long track (points 0.2 s
  apart, so that it is one activity of a plausible length).

Either is left out with ``0``; ``--only-hostile`` measures these two alone (a minute or two
at full size, where the whole run takes several).

Run: ``.venv/bin/python bench/ingest.py [--activities N] [--repeat N] [--peer-files N]
[--bomb-mb N] [--gpx-mb N] [--only-hostile] [--json] [--keep DIR]``; the hostile rows
alone at full size: ``.venv/bin/python bench/ingest.py --only-hostile``.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime as dt
import gzip
import io
import json
import os
import random
import resource
import runpy
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import warnings
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Children measure their own memory, so only the standard library is imported up here; rich,
# NumPy, rubdown and the peers are imported by the functions that need them.

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "tests" / "data" / "activities"
STRAVA_SAMPLE = REPO / "tests" / "data" / "exports" / "strava" / "activities.csv"

# (file, zip member, weight). The weights pick small files more often than the FR955 run
# (700 kB) so that 2,000 copies come to about 265 MB of FIT, 132 kB an activity on average.
SOURCES: tuple[tuple[str, str | None, int], ...] = (
    ("GoldenCheetah/GarminFR955v18.zip", "14211916346_ACTIVITY.fit", 1),
    ("GoldenCheetah/Fr955v19.28andStryd.fit", None, 2),
    ("tormoder-fit/mornindew-broken.fit", None, 2),
    ("python-fitparse/developer-types-sample.fit", None, 3),
    ("tormoder-fit/activity-small-fenix2-run.fit", None, 3),
    ("GoldenCheetah/Garmin920_withFirstbeat.fit", None, 3),
    ("GoldenCheetah/IpBike-HRV-Data.fit", None, 3),
    ("GoldenCheetah/3386684871.fit", None, 4),
    ("GoldenCheetah/Move_2020_01_15_19_27_16_Running.fit", None, 3),
    ("GoldenCheetah/10kUNLP2014-Garmin15.fit", None, 3),
    ("tormoder-fit/2013-02-06-12-11-14.fit", None, 3),
)
RUN_SPORTS = frozenset({"running", "treadmill", "trail-running"})
LAST_DAY = dt.date(2025, 6, 30)  # the newest activity; one a day going back from here
FIRST_ACTIVITY_ID = 13_000_000_000
FIRST_UPLOAD_ID = 14_000_000_000
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

AIM_DECODE_MB_S = 50.0
AIM_SPEEDUP = 60.0
AIM_IMPORT_S = 10.0
AIM_IMPORT_ACTIVITIES = 2000
AIM_PEAK_BYTES = 400e6
AIM_CPU_RATIO = 2.0
MIB = 2**20
PEERS = ("fitdecode", "fitparse", "garmin-fit-sdk")


# --- the synthetic export -------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    name: str
    data: bytes
    start: dt.datetime  # UTC, as rubdown reads it
    duration_s: float
    distance_m: float | None
    records: int


@dataclass(frozen=True)
class Export:
    folder: Path
    zip_path: Path
    files: tuple[Path, ...]  # activities/<upload id>.fit.gz, in build order
    sources: tuple[int, ...]  # which source each file copies
    fit_bytes: tuple[int, ...]  # uncompressed FIT size of each file
    expected_records: tuple[int, ...]  # the source's record count (dates moved, nothing else)
    gz_bytes: int
    zip_bytes: int
    build_s: float


def load_sources() -> list[Source]:
    """The corpus runs, each checked with rubdown's own parser."""
    from rubdown.importers.fit import parse

    found = []
    for name, member, _ in SOURCES:
        path = CORPUS / name
        if member is None:
            data = path.read_bytes()
        else:
            with zipfile.ZipFile(path) as archive:
                data = archive.read(member)
        parsed = parse(data)
        shown = f"{name}:{member}" if member else name
        if parsed.problem or len(parsed.activities) != 1:
            raise SystemExit(f"{shown}: not a clean single activity ({parsed.problem})")
        activity = parsed.activities[0]
        if activity.sport.value not in RUN_SPORTS:
            raise SystemExit(f"{shown}: sport {activity.sport.value}, not a run")
        found.append(
            Source(
                shown,
                data,
                activity.start,
                activity.duration_s,
                activity.distance_m,
                parsed.records,
            )
        )
    return found


def weighted_cycle(weights: Sequence[int], count: int) -> list[int]:
    """``count`` picks, each index as often as its weight says, spread evenly (smooth
    weighted round robin)."""
    total = sum(weights)
    current = [0] * len(weights)
    picks = []
    for _ in range(count):
        for i, weight in enumerate(weights):
            current[i] += weight
        best = max(range(len(weights)), key=current.__getitem__)
        current[best] -= total
        picks.append(best)
    return picks


def strava_date(when: dt.datetime) -> str:
    """Strava's English ``Activity Date``: ``Oct 6, 2022, 11:19:20 PM``."""
    hour = when.hour % 12 or 12
    half = "AM" if when.hour < 12 else "PM"
    return (
        f"{MONTHS[when.month - 1]} {when.day}, {when.year}, "
        f"{hour}:{when.minute:02d}:{when.second:02d} {half}"
    )


def day_part(hour: int) -> str:
    if hour < 11:
        return "Morning"
    if hour < 14:
        return "Lunch"
    return "Afternoon" if hour < 18 else "Evening"


def csv_header() -> list[str]:
    with STRAVA_SAMPLE.open(newline="", encoding="utf-8") as stream:
        return next(csv.reader(stream))


def csv_row(
    header: Sequence[str], activity_id: int, start: dt.datetime, source: Source, filename: str
) -> list[str]:
    row = [""] * len(header)
    cells = {
        0: str(activity_id),  # Activity ID
        1: strava_date(start),  # Activity Date (UTC)
        2: f"{day_part(start.hour)} Run",
        3: "Run",  # Activity Type
        5: f"{source.duration_s:.0f}",  # Elapsed Time (display)
        12: filename,  # Filename
        15: f"{source.duration_s:.1f}",  # Elapsed Time (SI)
    }
    if source.distance_m is not None:
        cells[6] = f"{source.distance_m / 1000:.2f}"  # Distance (display, km)
        cells[17] = f"{source.distance_m:.1f}"  # Distance (SI, m)
    for index, value in cells.items():
        row[index] = value
    return row


def build_export(root: Path, count: int) -> Export:
    """The export folder ``root/strava-export`` and its zip ``root/strava-export.zip``."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    sys.path.insert(0, str(REPO))
    from bench.fit_shift import apply_shift, plan_shift

    began = time.perf_counter()
    sources = load_sources()
    plans = [plan_shift(s.data) for s in sources]
    picks = weighted_cycle([w for _, _, w in SOURCES], count)
    folder = root / "strava-export"
    zip_path = root / "strava-export.zip"
    if folder.exists():
        shutil.rmtree(folder)
    (folder / "activities").mkdir(parents=True)
    header = csv_header()
    rows: list[list[str]] = []
    files: list[Path] = []
    fit_sizes: list[int] = []
    gz_total = 0
    jitter = random.Random(20250630)
    console = Console(stderr=True)
    columns = (TextColumn("[bold]building export"), BarColumn(), MofNCompleteColumn())
    with (
        zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as archive,
        Progress(*columns, console=console, transient=True) as progress,
    ):
        task = progress.add_task("build", total=count)
        for i, which in enumerate(picks):
            source = sources[which]
            day = LAST_DAY - dt.timedelta(days=i)
            start = dt.datetime(day.year, day.month, day.day, 6, tzinfo=dt.UTC) + dt.timedelta(
                seconds=jitter.randrange(0, 12 * 3600)
            )
            moved = apply_shift(
                plans[which], source.data, int((start - source.start).total_seconds())
            )
            packed = gzip.compress(moved, compresslevel=6, mtime=0)
            inner = f"activities/{FIRST_UPLOAD_ID + 7 * i}.fit.gz"
            (folder / inner).write_bytes(packed)
            archive.writestr(inner, packed)
            rows.append(csv_row(header, FIRST_ACTIVITY_ID + 3 * i, start, source, inner))
            files.append(folder / inner)
            fit_sizes.append(len(moved))
            gz_total += len(packed)
            progress.update(task, advance=1)
        text = io.StringIO(newline="")
        writer = csv.writer(text, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
        (folder / "activities.csv").write_text(text.getvalue(), encoding="utf-8", newline="")
        archive.writestr("activities.csv", text.getvalue())
    return Export(
        folder,
        zip_path,
        tuple(files),
        tuple(picks),
        tuple(fit_sizes),
        tuple(sources[p].records for p in picks),
        gz_total,
        zip_path.stat().st_size,
        time.perf_counter() - began,
    )


def stratified(export: Export, wanted: int) -> list[int]:
    """``wanted`` files whose mix of sources is the export's: evenly spaced in source order."""
    total = len(export.files)
    if wanted <= 0 or wanted >= total:
        return list(range(total))
    ordered = sorted(range(total), key=lambda i: (export.sources[i], i))
    return sorted(ordered[int((k + 0.5) * total / wanted)] for k in range(wanted))


# --- the measured phases, each run by a fresh ``bench/ingest.py --phase ...`` ----------------


def own_peak_kib() -> int:
    """This process's own peak RSS (``VmHWM``), which, unlike ``ru_maxrss``, starts afresh
    at ``exec``."""
    return status_kib(os.getpid())["VmHWM"]


def status_kib(pid: int) -> dict[str, int]:
    """The ``Vm*`` sizes (KiB) of ``/proc/<pid>/status``; empty once the process is gone."""
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return {}
    sizes = {}
    for line in text.splitlines():
        if line.startswith("Vm"):
            name, _, value = line.partition(":")
            sizes[name] = int(value.split()[0])
    return sizes


def gunzip_all(paths: Sequence[str]) -> list[bytes]:
    return [gzip.decompress(Path(p).read_bytes()) for p in paths]


def phase_import(spec: dict[str, Any]) -> dict[str, Any]:
    """``rubdown import --json <path>``: the console script, run in this process (as
    ``__main__``, like the script itself) so that this process is rubdown's own and its
    children are rubdown's pool workers."""
    script = spec["script"]
    sys.argv = [script, "import", "--json", spec["zip"]]
    began = time.perf_counter()
    code: object = 0
    try:
        runpy.run_path(script, run_name="__main__")
    except SystemExit as done:
        code = done.code
    return {"seconds": [time.perf_counter() - began], "exit": code}


def phase_decode(spec: dict[str, Any]) -> dict[str, Any]:
    """rubdown's decoder on one core; the first (untimed) pass counts the records."""
    from rubdown.importers.fit.decoder import decode

    blobs = gunzip_all(spec["files"])
    records = [decode(blob).record_count for blob in blobs]
    timings = []
    cpu = []
    for _ in range(spec["repeat"]):
        began, began_cpu = time.perf_counter(), time.process_time()
        for blob in blobs:
            decode(blob)
        timings.append(time.perf_counter() - began)
        cpu.append(time.process_time() - began_cpu)
    return {"seconds": timings, "cpu_seconds": cpu, "records": records}


_WORKER_BLOBS: list[bytes] = []
_WORKER_BARRIER: Any = None


def _pool_init(slots: Any, barrier: Any, paths: list[str], workers: int) -> None:
    """Each worker takes a slot and gunzips its share of the files, before any timing."""
    global _WORKER_BARRIER
    slot = slots.get()
    _WORKER_BLOBS.extend(gunzip_all(paths[slot::workers]))
    _WORKER_BARRIER = barrier
    from rubdown.importers.fit import decoder  # noqa: F401  (imported before the clock runs)


def _pool_pass(_: int) -> tuple[int, int]:
    """Decode this worker's share; the barrier makes every worker take exactly one pass.
    Returns the records and the worker's own peak RSS (KiB)."""
    from rubdown.importers.fit.decoder import decode

    _WORKER_BARRIER.wait()
    records = sum(decode(blob).record_count for blob in _WORKER_BLOBS)
    return records, own_peak_kib()


def phase_pool(spec: dict[str, Any]) -> dict[str, Any]:
    """rubdown's decoder on a spawn-context process pool, files preloaded in the workers."""
    import concurrent.futures as futures
    import multiprocessing

    workers = spec["workers"]
    context = multiprocessing.get_context("spawn")
    slots = context.Queue()
    for slot in range(workers):
        slots.put(slot)
    barrier = context.Barrier(workers)
    timings = []
    records = 0
    worker_peak = 0
    with futures.ProcessPoolExecutor(
        workers,
        mp_context=context,
        initializer=_pool_init,
        initargs=(slots, barrier, spec["files"], workers),
    ) as pool:
        for round_ in range(spec["repeat"] + 1):  # round 0 waits for the loading: untimed
            began = time.perf_counter()
            passes = list(pool.map(_pool_pass, range(workers)))
            if round_:
                timings.append(time.perf_counter() - began)
            records = sum(count for count, _ in passes)
            worker_peak = max(worker_peak, *(peak for _, peak in passes))
    return {"seconds": timings, "records_total": records, "hwm_workers_kib": worker_peak}


def _read_fitdecode(data: bytes) -> int:
    import fitdecode

    records = []
    with fitdecode.FitReader(io.BytesIO(data)) as reader:
        for frame in reader:
            if isinstance(frame, fitdecode.FitDataMessage) and frame.name == "record":
                records.append({f.name: f.value for f in frame.fields})
    return len(records)


def _read_fitparse(data: bytes) -> int:
    import fitparse

    return len([m.get_values() for m in fitparse.FitFile(data).get_messages("record")])


def _read_garmin(data: bytes) -> int:
    from garmin_fit_sdk import Decoder, Stream

    messages, errors = Decoder(Stream.from_byte_array(bytearray(data))).read()
    if errors:
        raise ValueError("; ".join(str(e) for e in errors[:2]))
    return len(messages.get("record_mesgs", []))


PEER_READERS: dict[str, Callable[[bytes], int]] = {
    "fitdecode": _read_fitdecode,
    "fitparse": _read_fitparse,
    "garmin-fit-sdk": _read_garmin,
}


def phase_peer(spec: dict[str, Any]) -> dict[str, Any]:
    """One peer library over the sample; a warm-up on the first file imports it."""
    warnings.simplefilter("ignore")
    read = PEER_READERS[spec["peer"]]
    blobs = gunzip_all(spec["files"])
    with contextlib.suppress(Exception):  # a failure is reported by the timed runs
        read(blobs[0])  # imports the library before the clock runs
    timings = []
    records: list[int] = []
    errors: list[str] = []
    for _ in range(spec["repeat"]):
        records, errors = [], []
        began = time.perf_counter()
        for blob in blobs:
            try:
                records.append(read(blob))
            except Exception as error:
                records.append(-1)
                errors.append(f"{type(error).__name__}: {error}")
        timings.append(time.perf_counter() - began)
    return {"seconds": timings, "records": records, "errors": errors}


PHASES: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "import": phase_import,
    "decode": phase_decode,
    "pool": phase_pool,
    "peer": phase_peer,
}


def run_phase_here(phase: str, spec_path: Path, result_path: Path) -> None:
    spec = json.loads(spec_path.read_text())
    result = PHASES[phase](spec)
    result["maxrss_self_kib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result["maxrss_children_kib"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    result["hwm_self_kib"] = own_peak_kib()
    for who, name in ((resource.RUSAGE_SELF, "self"), (resource.RUSAGE_CHILDREN, "children")):
        usage = resource.getrusage(who)
        result[f"cpu_{name}_s"] = usage.ru_utime + usage.ru_stime
    result_path.write_text(json.dumps(result))


# --- the parent: runs each phase in a fresh process and watches its memory ------------------


class TreeSampler:
    """A process and its descendants, sampled in a thread: the peak of their summed RSS, and
    the last high-water mark seen of each descendant."""

    def __init__(self, pid: int, every_s: float = 0.1) -> None:
        self.pid = pid
        self.every_s = every_s
        self.peak_bytes = 0
        self.descendant_hwm_kib: dict[int, int] = {}
        self.works = Path(f"/proc/{pid}/task/{pid}/children").exists()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> TreeSampler:
        if self.works:
            self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        if self.works:
            self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            total = 0
            for pid in self._tree(self.pid):
                sizes = status_kib(pid)
                total += sizes.get("VmRSS", 0) * 1024
                if pid != self.pid and "VmHWM" in sizes:
                    self.descendant_hwm_kib[pid] = sizes["VmHWM"]
            self.peak_bytes = max(self.peak_bytes, total)
            self._stop.wait(self.every_s)

    @staticmethod
    def _tree(root: int) -> Iterator[int]:
        stack = [root]
        while stack:
            pid = stack.pop()
            yield pid
            try:
                children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
            except OSError:
                continue
            stack.extend(int(child) for child in children)


@dataclass
class PhaseRun:
    wall_s: float
    result: dict[str, Any]
    stdout: str
    stderr: str
    returncode: int
    tree_peak_bytes: int | None
    workers_hwm_kib: int | None  # sampled; None when no child process was seen


def say(text: str) -> None:
    """A line of progress on a terminal's stderr (never on stdout, which --json keeps)."""
    if sys.stderr.isatty():
        print(f"  measuring: {text}", file=sys.stderr, flush=True)


def run_phase(phase: str, spec: dict[str, Any], env: dict[str, str] | None = None) -> PhaseRun:
    with tempfile.TemporaryDirectory(prefix="rubdown-bench-") as scratch:
        spec_path = Path(scratch) / "spec.json"
        result_path = Path(scratch) / "result.json"
        spec_path.write_text(json.dumps(spec))
        command = [sys.executable, str(Path(__file__).resolve()), "--phase", phase]
        command += ["--spec", str(spec_path), "--result", str(result_path)]
        began = time.perf_counter()
        child = subprocess.Popen(
            command,
            env=env,
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        with TreeSampler(child.pid) as sampler:
            stdout, stderr = child.communicate()
        wall = time.perf_counter() - began
        result = json.loads(result_path.read_text()) if result_path.exists() else {}
    return PhaseRun(
        wall,
        result,
        stdout,
        stderr,
        child.returncode,
        sampler.peak_bytes if sampler.works else None,
        max(sampler.descendant_hwm_kib.values(), default=None),
    )


def rubdown_script() -> str:
    beside = Path(sys.executable).with_name("rubdown")
    if beside.exists():
        return str(beside)
    found = shutil.which("rubdown")
    if found is None:
        raise SystemExit("the rubdown console script is not installed next to this Python")
    return found


@dataclass(frozen=True)
class Memory:
    """Peaks over a phase's runs (KiB unless named bytes)."""

    main_kib: int  # the phase's own process: VmHWM
    workers_kib: int | None  # its largest child process: VmHWM (None: it started none)
    tree_bytes: int | None  # summed VmRSS of the process tree, sampled
    ru_self_kib: int  # ru_maxrss, RUSAGE_SELF (floored by the parent's peak, see above)
    ru_children_kib: int  # ru_maxrss, RUSAGE_CHILDREN (likewise floored by the phase's own)

    @classmethod
    def of(cls, runs: Sequence[PhaseRun]) -> Memory:
        workers = [r.workers_hwm_kib for r in runs if r.workers_hwm_kib is not None]
        workers += [r.result["hwm_workers_kib"] for r in runs if "hwm_workers_kib" in r.result]
        trees = [r.tree_peak_bytes for r in runs if r.tree_peak_bytes is not None]
        return cls(
            max(r.result.get("hwm_self_kib", 0) for r in runs),
            max(workers) if workers else None,
            max(trees) if trees else None,
            max(r.result.get("maxrss_self_kib", 0) for r in runs),
            max(r.result.get("maxrss_children_kib", 0) for r in runs),
        )

    def peak_bytes(self) -> int:
        """The tree's sampled peak, or main plus two workers when it could not be sampled."""
        if self.tree_bytes is not None:
            return self.tree_bytes
        return (self.main_kib + 2 * (self.workers_kib or 0)) * 1024


@dataclass
class Row:
    name: str
    files: int
    fit_bytes: int
    seconds: list[float]
    records: int
    memory: Memory
    note: str = ""
    cpu_main_s: float | None = None  # imports: CPU time of the whole command (median)
    cpu_workers_s: float | None = None  # imports: CPU time of its pool workers (median)
    # imports: CPU time of the command and its workers together (median of the runs' sums);
    # decode on one core: CPU time of a pass over the files (median)
    cpu_s: float | None = None
    added: int | None = None  # imports: activities the last run added
    failed: int | None = None  # imports: files the last run reported failed

    @property
    def median_s(self) -> float:
        return statistics.median(self.seconds) if self.seconds else float("nan")

    def view(self) -> dict[str, Any]:
        s = self.median_s
        return {
            "phase": self.name,
            "files": self.files,
            "mb": self.fit_bytes / 1e6,
            "seconds": s,
            "seconds_all": self.seconds,
            "mb_per_s": self.fit_bytes / 1e6 / s if s else None,
            "activities_per_s": self.files / s if s else None,
            "records": self.records,
            "records_per_s": self.records / s if s else None,
            "peak_rss_main_mib": self.memory.main_kib / 1024,
            "peak_rss_largest_worker_mib": _mib(self.memory.workers_kib, 1024),
            "peak_rss_tree_mib": _mib(self.memory.tree_bytes, 1),
            "ru_maxrss_self_mib": self.memory.ru_self_kib / 1024,
            "ru_maxrss_children_mib": self.memory.ru_children_kib / 1024,
            "cpu_main_s": self.cpu_main_s,
            "cpu_workers_s": self.cpu_workers_s,
            "cpu_s": self.cpu_s,
            "note": self.note,
        }


def _mib(value: int | None, unit: int) -> float | None:
    return None if value is None else value * unit / MIB


def import_summary(stdout: str) -> tuple[int, int, dict[str, int], str | None]:
    """Activities added, files failed, the status counts, and the error the JSON reports."""
    try:
        document = json.loads(stdout)
    except json.JSONDecodeError:
        return 0, 0, {}, f"no JSON on stdout: {stdout[:500]!r}"
    if "error" in document:
        return 0, 0, {}, json.dumps(document["error"])
    summary: dict[str, int] = document.get("summary", {})
    added = sum(int(f.get("activities") or 0) for f in document.get("files", []))
    failures = [
        f"{f['path']}: {f['error']}" for f in document.get("files", []) if f["status"] == "failed"
    ]
    return added, summary.get("failed", 0), summary, "; ".join(failures[:3]) or None


def measure_import(
    export: Export, records: int, repeat: int, problems: list[str]
) -> tuple[Row, Row]:
    script = rubdown_script()
    spec = {"script": script, "zip": str(export.zip_path)}
    fit_total = sum(export.fit_bytes)
    count = len(export.files)
    first: list[PhaseRun] = []
    again: list[PhaseRun] = []
    for attempt in range(1, repeat + 1):
        with tempfile.TemporaryDirectory(prefix="rubdown-bench-home-") as home:
            env = dict(os.environ, RUBDOWN_HOME=home)
            env.pop("RUBDOWN_DATABASE_URL", None)
            for runs, label in ((first, "import"), (again, "re-import")):
                say(f"rubdown {label} ({attempt} of {repeat})")
                run = run_phase("import", spec, env)
                runs.append(run)
                added, failed, summary, error = import_summary(run.stdout)
                expected = count if label == "import" else 0
                if run.returncode or run.result.get("exit") not in (0, None):
                    problems.append(
                        f"rubdown {label} exited with {run.result.get('exit', run.returncode)}; "
                        f"stderr: {run.stderr.strip()[-2000:]!r}; JSON error: {error}"
                    )
                if added != expected or failed:
                    problems.append(
                        f"rubdown {label}: {added} activities added (expected {expected}), "
                        f"{failed} files failed; summary {summary}; first failures: {error}"
                    )

    def row(name: str, runs: list[PhaseRun]) -> Row:
        added, failed, summary, _ = import_summary(runs[-1].stdout)
        note = f"{added} activities added, {failed} files failed; file statuses {summary}"
        return Row(
            name,
            count,
            fit_total,
            [r.wall_s for r in runs],
            records,
            Memory.of(runs),
            note,
            added=added,
            failed=failed,
            cpu_main_s=statistics.median(r.result.get("cpu_self_s", 0.0) for r in runs),
            cpu_workers_s=statistics.median(r.result.get("cpu_children_s", 0.0) for r in runs),
            cpu_s=statistics.median(
                r.result.get("cpu_self_s", 0.0) + r.result.get("cpu_children_s", 0.0) for r in runs
            ),
        )

    return row("rubdown import (parse, dedupe, store)", first), row(
        "rubdown re-import, same home (no-op)", again
    )


def measure_decode(
    name: str, export: Export, indexes: Sequence[int], repeat: int, workers: int
) -> tuple[Row, list[int]]:
    files = [str(export.files[i]) for i in indexes]
    spec = {"files": files, "repeat": repeat, "workers": workers}
    say(name)
    run = run_phase("decode" if workers == 1 else "pool", spec)
    if run.returncode:
        raise SystemExit(f"{name} failed:\n{run.stderr}")
    records: list[int] = run.result.get("records", [])
    total = sum(records) if records else int(run.result.get("records_total", 0))
    row = Row(
        name,
        len(files),
        sum(export.fit_bytes[i] for i in indexes),
        run.result["seconds"],
        total,
        Memory.of([run]),
    )
    if run.result.get("cpu_seconds"):
        row.cpu_s = statistics.median(run.result["cpu_seconds"])
    return row, records


def measure_peer(
    peer: str, export: Export, indexes: Sequence[int], repeat: int, counts: Sequence[int]
) -> Row:
    files = [str(export.files[i]) for i in indexes]
    say(f"{peer} on {len(files)} files")
    run = run_phase("peer", {"files": files, "repeat": repeat, "peer": peer})
    if run.returncode:
        raise SystemExit(f"{peer} failed:\n{run.stderr}")
    theirs: list[int] = run.result["records"]
    errors: list[str] = run.result["errors"]
    differ = sum(1 for a, b in zip(theirs, counts, strict=True) if a != b and a >= 0)
    note = f"record counts differ from rubdown's on {differ} files" if differ else ""
    if errors:
        note = f"{len(errors)} files failed, first: {errors[0][:120]}; {note}".rstrip("; ")
    return Row(
        f"{peer} decode, 1 core",
        len(files),
        sum(export.fit_bytes[i] for i in indexes),
        run.result["seconds"],
        sum(counts),
        Memory.of([run]),
        note,
    )


# --- hostile and huge inputs ----------------------------------------------------------------

GPX_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<gpx version="1.1" creator="rubdown bench" '
    b'xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1">'
    b"<trk><name>Bench</name><type>running</type><trkseg>\n"
)
GPX_TAIL = b"</trkseg></trk></gpx>\n"
# Blanks inside each point of the bomb's member: with them a point compresses about 150:1.
BOMB_PADDING = b" " * 2900


# Points 0.2 s apart: 500 MB of them (2.25 million) stay one activity of about five days,
# under the three weeks an activity may last (``importers.caps``).
POINT_STEP_S = 0.2


def gpx_point(index: int, padding: bytes = b"") -> bytes:
    moment = dt.datetime(2025, 5, 1, 6, 0, tzinfo=dt.UTC) + dt.timedelta(
        seconds=index * POINT_STEP_S
    )
    return (
        b'<trkpt lat="%.7f" lon="%.7f"><ele>%d.0</ele><time>%s</time>%s<extensions>'
        b"<gpxtpx:TrackPointExtension><gpxtpx:hr>%d</gpxtpx:hr><gpxtpx:cad>85</gpxtpx:cad>"
        b"</gpxtpx:TrackPointExtension></extensions></trkpt>\n"
        % (
            47.0 + index * 1e-6,
            8.0 + index * 1e-6,
            400 + index % 50,
            moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ").encode(),
            padding,
            140 + index % 20,
        )
    )


def write_gpx(out: Any, size: int, padding: bytes = b"") -> int:
    """A GPX of about ``size`` bytes written as it is made (never held whole); its points."""
    out.write(GPX_HEAD)
    written, count = len(GPX_HEAD), 0
    while written < size:
        # A thousand points per write: the generator, not the file, is what is slow here.
        lines = b"".join(gpx_point(count + i, padding) for i in range(1000))
        out.write(lines)
        written += len(lines)
        count += 1000
    out.write(GPX_TAIL)
    return count


@dataclass(frozen=True)
class Hostile:
    name: str
    path: Path
    inflated: int  # bytes the importer has to read
    on_disk: int  # bytes of the file handed over
    points: int


def build_hostile(root: Path, bomb_mib: int, gpx_mib: int) -> list[Hostile]:
    built = []
    if bomb_mib:
        say(f"building the ratio bomb ({bomb_mib} MiB inflated)")
        path = root / "ratio-bomb.zip"
        with (
            zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive,
            archive.open("long-run.gpx", "w", force_zip64=True) as member,
        ):
            points = write_gpx(member, bomb_mib * MIB, BOMB_PADDING)
        info = zipfile.ZipFile(path).getinfo("long-run.gpx")
        ratio = info.file_size / info.compress_size
        name = f"ratio bomb: zip of {path.stat().st_size / 1e6:.1f} MB, member {ratio:.0f}:1"
        built.append(Hostile(name, path, info.file_size, path.stat().st_size, points))
    if gpx_mib:
        say(f"building a {gpx_mib} MiB GPX")
        path = root / "long-run.gpx"
        with path.open("wb") as out:
            points = write_gpx(out, gpx_mib * MIB)
        size = path.stat().st_size
        name = f"one GPX of {size / 1e6:.0f} MB ({points:,} points)"
        built.append(Hostile(name, path, size, size, points))
    return built


def measure_hostile(inputs: Sequence[Hostile], problems: list[str]) -> list[Row]:
    script = rubdown_script()
    rows = []
    for item in inputs:
        with tempfile.TemporaryDirectory(prefix="rubdown-bench-home-") as home:
            env = dict(os.environ, RUBDOWN_HOME=home)
            env.pop("RUBDOWN_DATABASE_URL", None)
            say(f"rubdown import of the {item.name}")
            run = run_phase("import", {"script": script, "zip": str(item.path)}, env)
            kept = sum(p.stat().st_size for p in Path(home).rglob("raw/**/*") if p.is_file())
        added, failed, summary, error = import_summary(run.stdout)
        if run.returncode or failed or added != 1:
            problems.append(
                f"import of the {item.name}: {added} activities added, {failed} failed; "
                f"{summary}; {error}; stderr: {run.stderr.strip()[-1000:]!r}"
            )
        note = (
            f"{item.inflated / 1e6:.0f} MB to read from {item.on_disk / 1e6:.1f} MB handed "
            f"over; original kept in {kept / 1e6:.1f} MB; {added} activity added"
        )
        rows.append(
            Row(
                f"rubdown import, {item.name}",
                1,
                item.inflated,
                [run.wall_s],
                item.points,
                Memory.of([run]),
                note,
                cpu_main_s=run.result.get("cpu_self_s"),
                cpu_workers_s=run.result.get("cpu_children_s"),
                added=added,
                failed=failed,
            )
        )
    return rows


# --- report ---------------------------------------------------------------------------------


def aims(rows: dict[str, Row], speedup: float | None, activities: int) -> list[dict[str, Any]]:
    decode = rows["decode1"]
    imported = rows["import"]
    decode_mb_s = decode.fit_bytes / 1e6 / decode.median_s
    memory = imported.memory
    peak = memory.peak_bytes()
    ratio = cpu_ratio(rows)
    found = [
        {
            "aim": f"decode >= {AIM_DECODE_MB_S:.0f} MB/s (rubdown, 1 core, all files)",
            "value": f"{decode_mb_s:.1f} MB/s",
            "met": decode_mb_s >= AIM_DECODE_MB_S,
        },
        {
            "aim": f"decode >= {AIM_SPEEDUP:.0f}x the fastest peer (same sample)",
            "value": "n/a" if speedup is None else f"{speedup:.0f}x",
            "met": speedup is not None and speedup >= AIM_SPEEDUP,
        },
        {
            "aim": f"import of {AIM_IMPORT_ACTIVITIES:,} activities < {AIM_IMPORT_S:.0f} s"
            f" on {os.cpu_count()} cores",
            "value": f"{imported.median_s:.2f} s for {activities:,}",
            "met": activities == AIM_IMPORT_ACTIVITIES
            and imported.median_s < AIM_IMPORT_S
            and imported.added == activities
            and imported.failed == 0,
        },
        {
            "aim": "import peak memory < 400 MB (main process + workers: summed RSS, an upper "
            "bound since shared pages count once per process)",
            "value": f"{peak / 1e6:.0f} MB (main process {memory.main_kib * 1024 / 1e6:.0f} MB"
            f", largest worker {(memory.workers_kib or 0) * 1024 / 1e6:.0f} MB)",
            "met": peak < AIM_PEAK_BYTES,
        },
        {
            "aim": f"import CPU (main process + workers) <= {AIM_CPU_RATIO:.0f}x the CPU of "
            "decoding the same files on one core, in the same run",
            "value": "n/a"
            if ratio is None
            else f"{ratio:.2f}x ({imported.cpu_s:.1f} s against {decode.cpu_s:.2f} s)",
            "met": ratio is not None and ratio <= AIM_CPU_RATIO,
        },
    ]
    return found


def cpu_ratio(rows: dict[str, Row]) -> float | None:
    """The import's CPU time over the one-core decode's, both measured in this run."""
    imported, decode = rows["import"].cpu_s, rows["decode1"].cpu_s
    if not imported or not decode:
        return None
    return imported / decode


# A hostile or huge file costs at most this much memory (the import's process tree): the
# importer streams it, whatever size it inflates to.
AIM_HOSTILE_PEAK_BYTES = 300e6


def hostile_aims(rows: Sequence[Row]) -> list[dict[str, Any]]:
    return [
        {
            "aim": f"{row.name.removeprefix('rubdown import, ')}: peak memory "
            f"< {AIM_HOSTILE_PEAK_BYTES / 1e6:.0f} MB",
            "value": f"{row.memory.peak_bytes() / 1e6:.0f} MB for "
            f"{row.fit_bytes / 1e6:.0f} MB read, {row.median_s:.1f} s",
            "met": row.memory.peak_bytes() < AIM_HOSTILE_PEAK_BYTES and row.failed == 0,
        }
        for row in rows
    ]


def show(document: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    export = document.get("export")
    title = (
        f"Ingesting a Strava export of {export['activities']:,} runs "
        f"({export['fit_mb']:.1f} MB of FIT, {export['gz_mb']:.1f} MB gzipped, "
        f"zip {export['zip_mb']:.1f} MB), a ratio bomb and a large GPX"
        if export
        else "Ingesting a ratio bomb and a large GPX"
    )
    table = Table(title=title)
    for column in (
        "phase",
        "files",
        "MB",
        "seconds",
        "MB/s",
        "activities/s",
        "records/s",
        "peak main",
        "peak worker",
        "peak tree",
        "ru_maxrss self/children",
    ):
        table.add_column(column, justify="left" if column == "phase" else "right")

    def mib(value: float | None) -> str:
        return "" if value is None else f"{value:.0f} MiB"

    for row in document["rows"]:
        table.add_row(
            row["phase"],
            f"{row['files']:,}",
            f"{row['mb']:.1f}",
            f"{row['seconds']:.2f}",
            f"{row['mb_per_s']:.2f}",
            f"{row['activities_per_s']:.1f}",
            f"{row['records_per_s']:,.0f}",
            mib(row["peak_rss_main_mib"]),
            mib(row["peak_rss_largest_worker_mib"]),
            mib(row["peak_rss_tree_mib"]),
            f"{row['ru_maxrss_self_mib']:.0f} / {row['ru_maxrss_children_mib']:.0f} MiB",
        )
    console = Console(width=170)
    console.print(table)
    console.print(
        "MB: of FIT for the export rows, the bytes the importer reads (inflated) for the bomb "
        "and the GPX, each imported once into a fresh home; records: their track points"
    )
    console.print(
        "peak main: VmHWM of the phase's own process; peak worker: VmHWM of its largest child "
        "process (pool worker); peak tree: the summed RSS of the process tree, sampled every "
        "0.1 s. ru_maxrss is what getrusage says, floored on Linux by the peak of the process "
        "that started this one (see the module docstring). The decode rows hold every file in "
        "memory first."
    )
    if export:
        show_export_notes(console, document)
    for row in document["rows"]:
        if row["note"]:
            console.print(f"  {row['phase']}: {row['note']}")
        if row["cpu_main_s"] is not None:
            workers = row["cpu_workers_s"] or 0.0
            console.print(
                f"    CPU time: main process {row['cpu_main_s']:.1f} s, pool workers "
                f"{workers:.1f} s, in {row['seconds']:.1f} s of wall time on "
                f"{document['cpu_count']} cores"
            )
        elif row.get("cpu_s") is not None:
            console.print(f"  {row['phase']}: CPU time {row['cpu_s']:.2f} s a pass (median)")
    ratio = document.get("cpu_ratio")
    if ratio is not None:
        console.print(
            f"the import used {ratio['ratio']:.2f}x the CPU of the one-core decode "
            f"({ratio['import_cpu_s']:.1f} s, main process and workers, against "
            f"{ratio['decode_cpu_s']:.2f} s)"
        )
    before, after = document["load_average"]["before"], document["load_average"]["after"]
    console.print(
        f"load average (1 min) before measuring {before:.2f}, after {after:.2f}: anything else "
        "running on the machine slows the rows down"
    )
    speedup = document.get("speedup")
    if speedup is not None:
        console.print(
            f"rubdown's decoder is {speedup['factor']:.0f}x the fastest peer "
            f"({speedup['fastest_peer']}, {speedup['peer_mb_s']:.2f} MB/s against "
            f"{speedup['rubdown_mb_s']:.1f} MB/s on the same {document['sample_files']} files)"
        )
    for aim in document["aims"]:
        mark = "[green]met[/]" if aim["met"] else "[red]NOT met[/]"
        console.print(f"  {mark}  {aim['aim']}: {aim['value']}")
    for problem in document["problems"]:
        console.print(f"[red]problem:[/] {problem}", markup=True, highlight=False)


def show_export_notes(console: Any, document: dict[str, Any]) -> None:
    console.print(
        f"seconds: median of {document['repeat']} runs for rubdown rows, "
        f"{document['peer_repeat']} for the peers; the import rows are the wall time of the "
        "whole command in a fresh process. The sample is "
        f"{document['sample_files']} files ({document['sample_mb']:.1f} MB), stratified by source"
        ", the same for every decode-only sample row."
    )


def bench(args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="rubdown-ingest-") as scratch:
        root = Path(args.keep) if args.keep else Path(scratch)
        root.mkdir(parents=True, exist_ok=True)
        if args.only_hostile:
            document: dict[str, Any] = {
                "cpu_count": os.cpu_count(),
                "load_average": {"before": os.getloadavg()[0]},
                "rows": [],
                "aims": [],
                "problems": [],
            }
        else:
            document = measure(build_export(root, args.activities), args)
        hostile = measure_hostile(
            build_hostile(root, args.bomb_mb, args.gpx_mb), document["problems"]
        )
        document["rows"] += [row.view() for row in hostile]
        document["aims"] += hostile_aims(hostile)
        document["load_average"]["after"] = os.getloadavg()[0]
        return document


def measure(export: Export, args: argparse.Namespace) -> dict[str, Any]:
    load_before = os.getloadavg()[0]
    problems: list[str] = []
    everything = list(range(len(export.files)))
    sample = stratified(export, args.peer_files)
    decode1, counts = measure_decode("rubdown decode, 1 core", export, everything, args.repeat, 1)
    if counts != list(export.expected_records):
        problems.append("rubdown's record counts differ from the source files' counts")
    records = sum(counts)
    imported, reimported = measure_import(export, records, args.repeat, problems)
    decode2, _ = measure_decode("rubdown decode, 2 cores", export, everything, args.repeat, 2)
    if decode2.records != records:
        problems.append(f"the 2-core decode counted {decode2.records} records, not {records}")
    sample_counts = [counts[i] for i in sample]
    on_sample, _ = measure_decode("rubdown decode, 1 core, sample", export, sample, args.repeat, 1)
    peers = [measure_peer(p, export, sample, args.peer_repeat, sample_counts) for p in PEERS]
    fastest = min(peers, key=lambda r: r.median_s)
    factor = fastest.median_s / on_sample.median_s
    speedup = {
        "factor": factor,
        "fastest_peer": fastest.name.split(" ")[0],
        "peer_mb_s": fastest.fit_bytes / 1e6 / fastest.median_s,
        "rubdown_mb_s": on_sample.fit_bytes / 1e6 / on_sample.median_s,
    }
    rows = {
        "import": imported,
        "reimport": reimported,
        "decode1": decode1,
        "decode2": decode2,
        "sample": on_sample,
    }
    ordered = [imported, reimported, decode1, decode2, on_sample, *peers]
    return {
        "export": {
            "activities": len(export.files),
            "fit_mb": sum(export.fit_bytes) / 1e6,
            "gz_mb": export.gz_bytes / 1e6,
            "zip_mb": export.zip_bytes / 1e6,
            "records": records,
            "build_s": export.build_s,
            "folder": str(export.folder) if args.keep else None,
            "zip": str(export.zip_path) if args.keep else None,
            "sources": {
                name: sum(1 for s in export.sources if s == i)
                for i, (name, _, _) in enumerate(SOURCES)
            },
        },
        "cpu_count": os.cpu_count(),
        "load_average": {"before": load_before, "after": os.getloadavg()[0]},
        "repeat": args.repeat,
        "peer_repeat": args.peer_repeat,
        "sample_files": len(sample),
        "sample_mb": sum(export.fit_bytes[i] for i in sample) / 1e6,
        "rows": [row.view() for row in ordered],
        "speedup": speedup,
        "cpu_ratio": None
        if cpu_ratio(rows) is None
        else {
            "ratio": cpu_ratio(rows),
            "import_cpu_s": imported.cpu_s,
            "decode_cpu_s": decode1.cpu_s,
        },
        "aims": aims(rows, factor, len(export.files)),
        "problems": problems,
    }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--activities", type=int, default=2000, help="runs in the export")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each rubdown phase")
    parser.add_argument("--peer-repeat", type=int, default=1, help="runs of each peer")
    parser.add_argument(
        "--peer-files",
        type=int,
        default=40,
        help="files in the stratified sample for the peers (0: all files)",
    )
    parser.add_argument(
        "--bomb-mb", type=int, default=1500, help="MiB the ratio bomb inflates to (0: none)"
    )
    parser.add_argument("--gpx-mb", type=int, default=500, help="MiB of the large GPX (0: none)")
    parser.add_argument(
        "--only-hostile", action="store_true", help="measure the bomb and the GPX alone"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    parser.add_argument("--keep", metavar="DIR", help="build the export in DIR and keep it")
    parser.add_argument("--phase", choices=sorted(PHASES), help=argparse.SUPPRESS)
    parser.add_argument("--spec", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.phase:
        run_phase_here(args.phase, args.spec, args.result)
        return
    if args.activities < 1 or args.repeat < 1 or args.peer_repeat < 1 or args.peer_files < 0:
        parser.error("--activities, --repeat, --peer-repeat must be positive, --peer-files >= 0")
    if args.bomb_mb < 0 or args.gpx_mb < 0:
        parser.error("--bomb-mb and --gpx-mb must be 0 or more")
    document = bench(args)
    if args.json:
        print(json.dumps(document, indent=2))
    else:
        show(document)


if __name__ == "__main__":
    main()
