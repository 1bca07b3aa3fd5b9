"""modelc convert --report model.html: a self-contained page with every section.

The page is parsed (Python's html.parser) and checked against the JSON report
of the same conversion; when Debian's chromium is installed it is also loaded
in a real headless browser, whose DOM must hold every section and SVG.
"""
import argparse
import html.parser
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

SECTIONS = ["summary", "budgets", "operators", "memory", "quantization", "stack"]


class Page(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.sections, self.svgs, self.rects, self.external = [], 0, 0, []
        self.rows = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "section":
            self.sections.append(a.get("id"))
        self.svgs += tag == "svg"
        self.rects += tag == "rect"
        self.rows += tag == "tr" and self.sections[-1:] == ["operators"]
        for key in ("src", "href"):
            if key in a:
                self.external.append(a[key])


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--bin", required=True)
    p.add_argument("--repo", required=True)
    a = p.parse_args()
    failures = []
    with tempfile.TemporaryDirectory() as d:
        model = os.path.join(a.repo, "models", "digits_cnn", "digits_cnn.onnx")
        calib = os.path.join(a.repo, "models", "digits_cnn", "calib.npy")
        common = [os.path.join(a.bin, "modelc"), "convert", model, "--calibration", calib, "--max-arena", "4096"]
        subprocess.run(common + ["-o", os.path.join(d, "m.mote"), "--report", os.path.join(d, "r.html")],
                       check=True, capture_output=True)
        subprocess.run(common + ["-o", os.path.join(d, "m2.mote"), "--report", os.path.join(d, "r.json")],
                       check=True, capture_output=True)
        with open(os.path.join(d, "r.html")) as f:
            text = f.read()
        with open(os.path.join(d, "r.json")) as f:
            report = json.load(f)
        page = Page()
        page.feed(text)
        if page.sections != SECTIONS:
            failures.append(f"sections {page.sections}, want {SECTIONS}")
        if page.external:
            failures.append(f"the page fetches {page.external}")
        if page.rows != len(report["operators"]) + 1:
            failures.append(f"operator table has {page.rows - 1} rows, the model {len(report['operators'])} ops")
        # Each arena tensor is a box in the timeline; all sit inside the arena.
        for needle in ("{:,} bytes; lower bound {:,}".format(report["arena_bytes"], report["arena_lower_bound_bytes"]),
                       "{:,} MACs".format(report["total_macs"]), "Worst layer: operator"):
            if needle not in text:
                failures.append(f"missing '{needle}'")
        boxes = re.findall(r'<rect x="[\d.]+" y="([\d.]+)" width="[\d.]+" height="([\d.]+)" fill="(?:hsl|#bbb)', text)
        if len(boxes) < len(report["operators"]) or any(float(y) + float(h) > 280.5 for y, h in boxes):
            failures.append(f"memory timeline: {len(boxes)} boxes, some outside the arena")
        # Instructions per operator from mote-sim's profile on the M4 (when its firmware is built).
        x = os.path.join(d, "x.npy")
        import numpy as np
        np.save(x, np.load(os.path.join(a.repo, "models", "digits_cnn", "test_x.npy"))[:2])
        prof = subprocess.run([os.path.join(a.bin, "mote-sim"), "run", os.path.join(d, "m.mote"), "--input", x,
                               "--output", os.path.join(d, "y.npy"), "--target", "cortex-m4", "--profile"],
                              capture_output=True, text=True)
        if prof.returncode == 0:
            with open(os.path.join(d, "profile.txt"), "w") as f:
                f.write(prof.stdout)
            subprocess.run(common + ["-o", os.path.join(d, "m3.mote"), "--report", os.path.join(d, "p.html"),
                                     "--report-profile", os.path.join(d, "profile.txt")],
                           check=True, capture_output=True)
            with open(os.path.join(d, "p.html")) as f:
                profiled = f.read()
            rows = [l.split() for l in prof.stdout.splitlines() if re.match(r"^\d+\s", l)]
            want = ["<td class=\"n\">{:,}</td>".format(int(r[3])) for r in rows]
            if "instructions (cortex-m4)" not in profiled or len(rows) != len(report["operators"]) or \
                    any(w not in profiled for w in want):
                failures.append("the profiled page lacks the per-operator instructions")
            print("profiled page: %d operators' instructions" % len(rows))
        chromium = shutil.which("chromium")
        if chromium:
            dom = subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                                  "--no-first-run", "--disable-background-networking", "--disable-component-update",
                                  "--disable-sync", "--user-data-dir=" + os.path.join(d, "profile"), "--dump-dom",
                                  "file://" + os.path.join(d, "r.html")],
                                 capture_output=True, text=True, timeout=120).stdout
            browser = Page()
            browser.feed(dom)
            if browser.sections != SECTIONS or browser.svgs < 3:
                failures.append(f"in chromium: sections {browser.sections}, {browser.svgs} svg")
            print("chromium: loaded the page,", len(browser.sections), "sections,", browser.svgs, "svg")
        else:
            print("chromium not installed: the browser check is skipped (apt-get install chromium)")
    for f in failures:
        print("FAIL", f)
    print("html_report_test:", "FAIL" if failures else "ok")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
