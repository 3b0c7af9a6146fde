#!/usr/bin/env python3
"""Writes the netflow codec's spec-derived test data.

logstash-codec-netflow's spec/codecs/netflow_spec.rb decodes captured
exporter packets (spec/codecs/*.dat) and compares chosen events with JSON it
writes out. This script copies those packets to
plugins/codecs/netflow/testdata/spec/ and writes spec_cases.json: for each
context of the spec's default-options describe block, the packets in the
order the spec decodes them, the number of events it expects, and the
expected events by index (Logstash 8's timestamp precision), and
ipfix_templates_netscaler.cache, the template cache file the spec expects
after decoding the Netscaler templates.

usage: scripts/netflow/spec_cases.py GIT_DIR_OF_logstash-codec-netflow [OUTDIR]
"""
import json
import os
import re
import subprocess
import sys


def git(gitdir, *args, text=True):
    out = subprocess.check_output(["git", "--git-dir", gitdir, *args])
    return out.decode() if text else out


def contexts(spec):
    """Splits the first describe block into (name, body) per context."""
    first = spec.split("\ndescribe ", 2)[1]
    parts = re.split(r'^  context "([^"]*)" do\n', first, flags=re.M)
    return [(parts[i].strip(), parts[i + 1]) for i in range(1, len(parts), 2)]


def case(name, body):
    lets = dict(re.findall(r'let\(:(\w+)\) \{ is_LS_8 \? "([^"]*)" : "" \}', body))
    packets = re.findall(r'IO\.read\(File\.join\(File\.dirname\(__FILE__\), "([^"]+)"\)', body)
    events = re.findall(r"<<-END\n(.*?)\n\s*END\n", body, flags=re.S)
    parsed = []
    for ev in events:
        ev = re.sub(r"#\{(\w+)\}", lambda m: lets[m.group(1)], ev)
        parsed.append(json.loads(ev))
    expect = []
    for line in body.splitlines():
        if line.strip().startswith("#"):
            continue
        m = re.search(r"decode\[(\d+)\]\.to_json\)\)\.to eq\(JSON\.parse\(json_events\[(\d+)\]\)\)", line)
        if m:
            expect.append({"index": int(m.group(1)), "event": parsed[int(m.group(2))]})
    size = re.search(r"expect\(decode\.size\)\.to eq\((\d+)\)", body)
    return {"name": name, "packets": packets, "size": int(size.group(1)) if size else None, "expect": expect}


def main():
    gitdir = sys.argv[1]
    outdir = sys.argv[2] if len(sys.argv) > 2 else "plugins/codecs/netflow/testdata"
    commit = git(gitdir, "rev-parse", "HEAD").strip()
    spec = git(gitdir, "show", "HEAD:spec/codecs/netflow_spec.rb")
    cases = [case(n, b) for n, b in contexts(spec)]
    os.makedirs(os.path.join(outdir, "spec"), exist_ok=True)
    needed = sorted({p for c in cases for p in c["packets"]})
    for p in needed:
        with open(os.path.join(outdir, "spec", p), "wb") as f:
            f.write(git(gitdir, "show", "HEAD:spec/codecs/" + p, text=False))
    # The template cache file the spec expects after the Netscaler templates.
    m = re.search(r"let\(:cached_templates\) do\n\s*cached_templates = <<-END\n(.*?)\n\s*END", spec, flags=re.S)
    with open(os.path.join(outdir, "ipfix_templates_netscaler.cache"), "w") as f:
        json.dump(json.loads(m.group(1)), f, indent=1)
        f.write("\n")
    with open(os.path.join(outdir, "spec_cases.json"), "w") as f:
        json.dump({"source": "logstash-codec-netflow " + commit + " spec/codecs/netflow_spec.rb", "cases": cases}, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
