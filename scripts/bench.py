"""make bench: how fast parkreport is, as medians (with min and max) over
repeated runs. Prints one report from process start to exit (also at -j 1,
and with --pdf-compression small); a batch at -j 1
and -j 2 as wall and CPU time per report (to disk, and to tmpfs); peak
memory, also for batches of 10 and 100; the outputs' sizes;
the time split between the stages; 100 different reports at both
--pdf-compression settings; and the time of inputs 10 and 100 times the
seed's size; the instructions (callgrind) of one report and of a report's
share of a batch, which do not drift; and, first and last, the time of a
fixed gzip run, alone and two at once, by which the machine's own drift
shows, and how free its second processor is.

Usage: python3 scripts/bench.py BUILD_DIR [BATCH] [RUNS]
"""
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

build, batch, runs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
# The batches and the scaled inputs, each run taking seconds, are run fewer times.
long_runs = max(1, runs // 2)
top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
binary = os.path.join(build, "parkreport")
launcher = os.path.join(build, "bench_run")
seed = os.path.join(top, "input", "park-2023.xml")
env = dict(os.environ, SOURCE_DATE_EPOCH="1703980800")


def run(args):
    """Wall seconds, CPU seconds and peak RSS (KB) of one run of parkreport,
    and what it printed. Started by bench_run (scripts/bench_run.c), whose
    peak memory is a megabyte: a child forked by Python would count this
    script's twenty in its own."""
    p = subprocess.run([launcher, binary] + args, env=env, stdout=subprocess.PIPE,
                       stderr=subprocess.DEVNULL, text=True)
    out, _, last = p.stdout.rstrip("\n").rpartition("\n")
    fields = last.split()
    if p.returncode != 0 or len(fields) != 5 or fields[0] != "bench_run":
        sys.exit(f"bench_run failed: {p.stdout[-500:]}")
    return float(fields[1]), float(fields[2]), int(fields[3]), out


def summary(values, scale=1.0, unit="ms"):
    v = [x * scale for x in values]
    return f"{statistics.median(v):8.2f} {unit}  (min {min(v):.2f}, max {max(v):.2f})"


def scaled(k, directory):
    """The seed with k times its sections, sectors, categories and named items."""
    text = open(seed, encoding="utf-8").read()
    def repeat(pattern, body_fn):
        nonlocal text
        m = re.search(pattern, text, re.S)
        body = m.group(1)
        text = text[:m.start(1)] + "".join(body_fn(body, i) for i in range(k)) + text[m.end(1):]
    def suffixed(body, i):
        return body if i == 0 else re.sub(r'id="([a-z-]+)"', lambda m: f'id="{m.group(1)}-x{i}"', body)
    repeat(r"<sectors>(.*?)</sectors>", suffixed)
    repeat(r"<promotion>.*?(<category.*</category>)", suffixed)
    repeat(r'(<item>[^<]*</item>(?:<item>[^<]*</item>)*)', lambda b, i: b)
    repeat(r"<narrative>.*?</intro>(.*)</narrative>", lambda b, i: b)
    path = os.path.join(directory, f"scaled-{k}.xml")
    open(path, "w", encoding="utf-8").write(text)
    return path


def instructions(tmp):
    """Instructions (callgrind) of one report at -j 1, and a report's share
    of a batch: the difference between batches of 20 and 10 copies, over 10.
    None without valgrind."""
    if not shutil.which("valgrind"):
        return None

    def counted(args):
        p = subprocess.run(["valgrind", "--tool=callgrind",
                            "--callgrind-out-file=" + os.path.join(tmp, "callgrind.out"),
                            binary, "-q", "-j", "1"] + args,
                           env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        m = re.search(r"Collected : (\d+)", p.stderr)
        if p.returncode != 0 or not m:
            sys.exit("callgrind failed:\n" + p.stderr[-2000:])
        return int(m.group(1))

    one = counted(["-o", os.path.join(tmp, "counted-one"), seed])
    totals = {}
    for n in (10, 20):
        d = os.path.join(tmp, f"counted-{n}")
        os.mkdir(d)
        for i in range(n):
            shutil.copy(seed, os.path.join(d, f"park-{i:02d}.xml"))
        totals[n] = counted(["-o", os.path.join(tmp, f"counted-{n}-out"), d])
    return one, (totals[20] - totals[10]) / 10


def machine_speed(tmp):
    """Median times of gzip -6 over 8 MB of the seed's text, alone and two at
    once: the same work on any build, to tell this machine's drift from the
    program's. Two at once take as long as one when the second processor is
    free; a virtual machine's may be busy elsewhere."""
    data = os.path.join(tmp, "gzip-input")
    if not os.path.exists(data):
        text = open(seed, "rb").read()
        with open(data, "wb") as f:
            f.write(text * (8 * 1024 * 1024 // len(text) + 1))

    def gzips(n):
        start = time.perf_counter()
        inputs = [open(data, "rb") for _ in range(n)]
        procs = [subprocess.Popen(["gzip", "-6", "-c"], stdin=f, stdout=subprocess.DEVNULL)
                 for f in inputs]
        for p, f in zip(procs, inputs):
            if p.wait() != 0:
                sys.exit("gzip failed")
            f.close()
        return time.perf_counter() - start

    one = statistics.median(gzips(1) for _ in range(5)) * 1e3
    two = statistics.median(gzips(2) for _ in range(5)) * 1e3
    return (f"gzip -6 of 8 MB takes {one:.1f} ms, two at once {two:.1f} ms "
            f"({2 * one / two:.2f} times the throughput of one)")


with tempfile.TemporaryDirectory() as tmp:
    out = os.path.join(tmp, "out")
    print(f"parkreport benchmark: {os.cpu_count()} processors, {runs} runs each "
          f"({long_runs} of each batch and scaled input), batch of {batch}")
    print(f"machine speed: {machine_speed(tmp)}")

    singles = [run(["-q", "-o", out, seed]) for _ in range(runs)]
    print("one report, process start to exit:", summary([s[0] for s in singles], 1e3))
    print("  its CPU time:                    ", summary([s[1] for s in singles], 1e3))
    print(f"  peak memory: {max(s[2] for s in singles) / 1024:.1f} MB")
    print(f"  sizes: PDF {os.path.getsize(os.path.join(out, 'park-2023.pdf')):,} bytes, "
          f"workbook {os.path.getsize(os.path.join(out, 'park-2023.xlsx')):,} bytes")

    for label, extra in (("at -j 1", ["-j", "1"]),
                         ("--pdf-compression small", ["--pdf-compression", "small"])):
        alt = [run(["-q"] + extra + ["-o", out, seed]) for _ in range(runs)]
        print(f"one report, {label}:".ljust(36), summary([s[0] for s in alt], 1e3),
              f" PDF {os.path.getsize(os.path.join(out, 'park-2023.pdf')):,} bytes")
    run(["-q", "-o", out, seed])

    stages = {}
    for _ in range(runs):
        _, _, _, text = run(["-v", "-o", out, seed])
        for name, value in re.findall(r"(\w+) ([0-9.]+) ms", text):
            stages.setdefault(name, []).append(float(value))
    print("  time split: " + ", ".join(f"{k} {statistics.median(v):.2f} ms" for k, v in stages.items()))

    inputs = os.path.join(tmp, "batch")
    os.mkdir(inputs)
    names = [f"park-{i:04d}.xml" for i in range(batch)]
    for name in names:
        shutil.copy(seed, os.path.join(inputs, name))
    def batch_runs(directory, jobs):
        """Runs of the batch at -j jobs, each into an emptied directory."""
        results = []
        for _ in range(long_runs):
            shutil.rmtree(directory, ignore_errors=True)
            results.append(run(["-q", "-j", str(jobs), "-o", directory, inputs]))
        return results

    walls, peaks = {}, {}
    for jobs in (1, 2):
        results = batch_runs(out, jobs)
        walls[jobs] = statistics.median([r[0] for r in results])
        peaks[jobs] = max(r[2] for r in results)
        print(f"batch of {batch} at -j {jobs}: wall per report", summary([r[0] / batch for r in results], 1e3))
        print(f"  CPU per report:                ", summary([r[1] / batch for r in results], 1e3))
        print(f"  peak memory: {peaks[jobs] / 1024:.1f} MB")
    print(f"-j 2 against -j 1: {walls[1] / walls[2]:.2f} times the throughput")
    # Peak memory against the batch's size, at -j 1: it should not grow.
    by_size = []
    for n in (10, 100):
        if n < batch:
            part = os.path.join(tmp, f"batch-{n}")
            os.mkdir(part)
            for name in names[:n]:
                os.symlink(os.path.join(inputs, name), os.path.join(part, name))
            shutil.rmtree(out, ignore_errors=True)
            by_size.append(f"{n} reports {run(['-q', '-j', '1', '-o', out, part])[2] / 1024:.1f} MB")
    if by_size:
        by_size.append(f"{batch} reports {peaks[1] / 1024:.1f} MB")
        print("peak memory at -j 1 by batch size: " + ", ".join(by_size))
    # The same with the outputs in memory (tmpfs): the program's own scaling,
    # without the disk's writeback competing for the processors.
    if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK):
        with tempfile.TemporaryDirectory(dir="/dev/shm") as shm:
            mem = {}
            for jobs in (1, 2):
                results = batch_runs(os.path.join(shm, "out"), jobs)
                mem[jobs] = (statistics.median([r[0] for r in results]),
                             statistics.median([r[1] for r in results]))
            print(f"outputs in tmpfs: -j 1 {mem[1][0] / batch * 1e3:.2f} ms a report "
                  f"({mem[1][1] / batch * 1e3:.2f} ms CPU), -j 2 {mem[2][0] / batch * 1e3:.2f} ms "
                  f"({mem[2][1] / batch * 1e3:.2f} ms CPU): {mem[1][0] / mem[2][0]:.2f} times the throughput")

    # Different reports: each names its park differently, so that no two draw
    # the same characters and none reuses another's compressed fonts.
    different = os.path.join(tmp, "different")
    os.mkdir(different)
    text = open(seed, encoding="utf-8").read()
    hanzi = [chr(c) for c in range(0x4E00, 0x4E00 + 2 * 100)]
    count = 100
    for i in range(count):
        with open(os.path.join(different, f"park-{i:03d}.xml"), "w", encoding="utf-8") as f:
            f.write(text.replace("工业园区", hanzi[2 * i] + hanzi[2 * i + 1] + "工业园区", 3))
    for mode in ("fast", "small"):
        shutil.rmtree(out, ignore_errors=True)
        wall, cpu, rss, _ = run(["-q", "-j", "1", "--pdf-compression", mode, "-o", out, different])
        print(f"{count} different reports at -j 1, --pdf-compression {mode}: "
              f"{cpu / count * 1e3:.2f} ms of CPU per report")

    base = statistics.median([s[0] for s in singles])
    for k in (10, 100):
        path = scaled(k, tmp)
        times = [run(["-q", "-o", out, path])[0] for _ in range(long_runs)]
        t = statistics.median(times)
        print(f"input {k:3d} times the seed: {t * 1e3:8.1f} ms, {t / base:5.1f} times one report")
    counted = instructions(tmp)
    if counted:
        print(f"instructions (callgrind, which do not drift with the machine): one report "
              f"{counted[0] / 1e6:.1f} M, a report's share of a batch {counted[1] / 1e6:.1f} M")
    else:
        print("instructions: valgrind is not installed")
    print(f"machine speed at the end: {machine_speed(tmp)}")
