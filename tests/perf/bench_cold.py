"""Cold start and warm overhead per function, against a floor measured in the same run.

Each function starts in a fresh process as the LocalStack executor starts it (`python -I -S`,
only its code and vendored requirements importable), with the environment template.yaml
gives it, X-Ray tracing on as deployed, and AWS answered in-process (tests.perf.aws_stub). It
is timed from nothing to its first handled event; the floor is a process that imports boto3
and creates the same clients. Rounds alternate function and floor, so drift on a shared
machine hits both; the ratio is the median of the per-round ratios. One more process per
function runs under `python -X importtime` for the breakdown, and one handles warm requests
(the floor: the same AWS calls made directly with boto3).

    python -m tests.perf.bench_cold [--rounds 7] [--warm 2000]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, NamedTuple

from tests.perf import fixtures
from tests.perf.stats import median, spread, summary

HERE = Path(__file__).resolve().parent
CHILD = HERE / "cold_start.py"
# Warm requests before timing starts: first-call caches, lazily built validators.
WARM_UP = 50


def lambda_site(root: Path = fixtures.ROOT) -> Path:
    """functions/requirements.txt installed as `sam build` vendors it; reused while unchanged."""
    requirements = root / "functions" / "requirements.txt"
    digest = hashlib.sha256(requirements.read_bytes()).hexdigest()[:12]
    site = root / "out" / "bench" / f"lambda-site-{digest}"
    if not (site / ".complete").exists():
        print(f"installing the functions' requirements into {site} ...", file=sys.stderr)
        # uv (which `make setup` puts beside this interpreter) installs from its cache of wheels.
        uv = [str(Path(sys.executable).parent / "uv"), "pip", "install", "--quiet"]
        subprocess.run(
            [*uv, "--python", sys.executable, "--target", str(site), "-r", str(requirements)],
            check=True,
        )
        (site / ".complete").touch()
    return site


class _Sandbox(NamedTuple):
    """Where the children run: their scratch folder, and the sys.path they import from."""

    folder: Path
    paths: str


def _run(
    sandbox: _Sandbox, logical_id: str, target: str, warm: int = 0, importtime: bool = False
) -> tuple[dict[str, Any], float, str]:
    """One child: its figures, its wall time from spawn to exit (ms), its stderr."""
    folder, paths = sandbox
    _, event, _ = fixtures.FUNCTIONS[logical_id]
    env = fixtures.function_environment(logical_id, tracing=True)
    env["IMAGEJOBS_BENCH_ITEMS"] = str(folder / f"items-{fixtures.items_for(logical_id)}.json")
    out = folder / "figures.json"
    flags = ["-I", "-S", *(["-X", "importtime"] if importtime else [])]
    command = [sys.executable, *flags, str(CHILD), paths, target, str(out)]
    command += [str(fixtures.event_path(event)), str(warm)]
    started = time.perf_counter()
    result = subprocess.run(
        command, env=env, cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    wall_ms = (time.perf_counter() - started) * 1000
    if result.returncode != 0:
        raise RuntimeError(f"{target} failed:\n{result.stderr[-3000:]}")
    figures: dict[str, Any] = json.loads(out.read_text())
    return figures, wall_ms, result.stderr


def import_breakdown(stderr: str, top: int = 8) -> dict[str, Any]:
    """`-X importtime` output: self time summed per top-level package, and the slowest modules."""
    per_package: dict[str, float] = {}
    top_level: list[tuple[float, str]] = []
    for line in stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        own, total, name = line.removeprefix("import time:").split("|")
        module = name.strip()
        package = module.split(".")[0]
        per_package[package] = per_package.get(package, 0.0) + int(own) / 1000
        if name.startswith(" ") and not name.startswith("  "):  # imported by the script itself
            top_level.append((int(total) / 1000, module))
    packages = sorted(per_package.items(), key=lambda kv: kv[1], reverse=True)
    slowest = sorted(top_level, reverse=True)
    return {
        "total_ms": sum(per_package.values()),
        "packages_self_ms": {name: round(ms, 1) for name, ms in packages[:top]},
        "top_level_cumulative_ms": {name: round(ms, 1) for ms, name in slowest[:top]},
    }


def measure(rounds: int = 7, warm: int = 2000, warm_up_rounds: int = 1) -> dict[str, Any]:
    site = lambda_site()
    paths = os.pathsep.join([str(fixtures.ROOT / "functions"), str(site), str(HERE)])
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="imagejobs-bench-") as tmp:
        folder = Path(tmp)
        fixtures.write_items(folder)
        sandbox = _Sandbox(folder, paths)
        kinds = ("init", "floor", "ratio", "wall", "import", "first")
        samples = {name: {k: list[float]() for k in kinds} for name in fixtures.FUNCTIONS}
        # What each function answered to its first event: a figure of a failed request is none.
        responses: dict[str, Any] = {}
        # Warm-up rounds fill the disk cache and compile .pyc files; they are not counted.
        for round_number in range(warm_up_rounds + rounds):
            for logical_id, (module, _, _) in fixtures.FUNCTIONS.items():
                short = module.rsplit(".", 1)[1]
                own, wall, _ = _run(sandbox, logical_id, module)
                floor, _, _ = _run(sandbox, logical_id, f"floor:{short}")
                responses[logical_id] = own["response"]
                if round_number < warm_up_rounds:
                    continue
                s = samples[logical_id]
                s["init"].append(own["init_ms"])
                s["floor"].append(floor["init_ms"])
                s["ratio"].append(own["init_ms"] / floor["init_ms"])
                s["wall"].append(wall)
                s["import"].append(own["import_ms"])
                s["first"].append(own["first_event_ms"])
        for logical_id, (module, _, _) in fixtures.FUNCTIONS.items():
            short = module.rsplit(".", 1)[1]
            s = samples[logical_id]
            _, _, stderr = _run(sandbox, logical_id, module, importtime=True)
            entry: dict[str, Any] = {
                "init_ms": median(s["init"]),
                "floor_ms": median(s["floor"]),
                "ratio_to_floor": median(s["ratio"]),
                "ratio_spread": spread(s["ratio"]),
                "import_ms": median(s["import"]),
                "first_event_ms": median(s["first"]),
                "process_wall_ms": median(s["wall"]),
                "rounds": rounds,
                "response": responses[logical_id],
                "importtime": import_breakdown(stderr),
            }
            if logical_id != "WorkerFunction" and warm > 0:
                own, _, _ = _run(sandbox, logical_id, module, warm=warm + WARM_UP)
                floor, _, _ = _run(sandbox, logical_id, f"floor:{short}", warm=warm + WARM_UP)
                handler_us = summary(own["warm_us"][WARM_UP:], 99)
                floor_us = summary(floor["warm_us"][WARM_UP:], 99)
                entry["warm"] = {
                    "handler_us": handler_us,
                    "floor_us": floor_us,
                    "overhead_p50_us": handler_us["p50"] - floor_us["p50"],
                    "ratio_p50": handler_us["p50"] / floor_us["p50"],
                }
            results[logical_id] = entry
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--warm", type=int, default=2000)
    args = parser.parse_args()
    print(json.dumps(measure(args.rounds, args.warm), indent=2))


if __name__ == "__main__":
    main()
