#!/usr/bin/env bash
# scripts/check_docs.sh — the documentation stands alone (ctest docs_standalone). Fails, listing
# every offence as FILE:LINE: reason, when
#   1. a tracked file outside docs/ cites the design notes or machine notes that live outside the
#      repository (DESIGN.md, MACHINE.md, "DESIGN §N"): cite docs/architecture.md or
#      docs/machine.md instead;
#   2. a relative Markdown link in a tracked .md file points at a missing file, or at a heading
#      that its page does not have (GitHub anchors: lower case, punctuation dropped, spaces -> -);
#   3. a citation of a page, "docs/NAME.md" or "docs/NAME.md#anchor", anywhere in a tracked file,
#      names a missing page or a heading that page does not have.
# Usage: scripts/check_docs.sh   (from anywhere; reads the repository it lives in)
set -euo pipefail
cd "$(dirname "$0")/.."
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  git ls-files -z > "${TMPDIR:-/tmp}/check_docs.$$"
else  # an exported tree without .git: every file but build output
  find . -path ./build -prune -o -path './build-*' -prune -o -type f -print0 | sed -z 's#^\./##' \
    > "${TMPDIR:-/tmp}/check_docs.$$"
fi
trap 'rm -f "${TMPDIR:-/tmp}/check_docs.$$"' EXIT
python3 - "${TMPDIR:-/tmp}/check_docs.$$" <<'PY'
import os, re, sys

files = [f for f in open(sys.argv[1], 'rb').read().decode().split('\0') if f and os.path.isfile(f)]
SELF = 'scripts/check_docs.sh'
# Known citations that must stay (none today): (path, text of the line).
ALLOWED = set()
OUTSIDE = re.compile(r'DESIGN\.md|MACHINE\.md|DESIGN §|shared/spec/|(?<![\w/.-])[Ss]pec §')
MD_LINK = re.compile(r'\]\(([^)\s]+)(?:\s+"[^"]*")?\)')
CITATION = re.compile(r'(?<![\w/.-])docs/([A-Za-z0-9_-]+\.md)(#[A-Za-z0-9_-]+)?')
problems = []

def text_of(path):
    try:
        return open(path, encoding='utf-8').read()
    except (UnicodeDecodeError, OSError):
        return None  # binary (plots) or unreadable: nothing to check

def slug(heading):
    s = heading.strip().lower()
    s = re.sub(r'[^\w\- ]', '', s)  # keeps letters, digits, _, -, spaces
    return s.replace(' ', '-')

anchor_cache = {}
def anchors(path):
    if path not in anchor_cache:
        found, seen, fence = set(), {}, False
        for line in (text_of(path) or '').split('\n'):
            if line.lstrip().startswith('```'):
                fence = not fence
                continue
            m = None if fence else re.match(r'#{1,6}\s+(.*?)\s*#*\s*$', line)
            if m:
                base = slug(m.group(1))
                n = seen.get(base, 0)
                seen[base] = n + 1
                found.add(base if n == 0 else f'{base}-{n}')
        anchor_cache[path] = found
    return anchor_cache[path]

def check_target(where, target_path, anchor, what):
    if not os.path.exists(target_path):
        problems.append(f'{where}: {what} points to a missing file: {target_path}')
    elif anchor and target_path.endswith('.md') and anchor not in anchors(target_path):
        problems.append(f'{where}: {what} points to a missing section: {target_path}#{anchor}')

for f in files:
    text = text_of(f)
    if text is None:
        continue
    fence = False
    for n, line in enumerate(text.split('\n'), 1):
        where = f'{f}:{n}'
        # 1. citations of notes outside the repository
        if not f.startswith('docs/') and f != SELF and OUTSIDE.search(line):
            if not any(f == af and at in line for af, at in ALLOWED):
                problems.append(f'{where}: cites notes outside the repository '
                                f'({OUTSIDE.search(line).group(0)}): cite docs/architecture.md, docs/machine.md or docs/gensort-spec.md')
        if f.endswith('.md') and line.lstrip().startswith('```'):
            fence = not fence
        # 2. relative Markdown links
        if f.endswith('.md') and not fence:
            for m in MD_LINK.finditer(line):
                target = m.group(1)
                if re.match(r'[a-z][a-z0-9+.-]*:', target):  # http:, https:, mailto:
                    continue
                path, _, anchor = target.partition('#')
                resolved = os.path.normpath(os.path.join(os.path.dirname(f), path)) if path else f
                check_target(where, resolved, anchor, 'link')
        # 3. citations of docs pages and sections, in any file
        if f != SELF:
            for m in CITATION.finditer(line):
                check_target(where, 'docs/' + m.group(1), (m.group(2) or '')[1:], 'citation')

if problems:
    print('\n'.join(problems))
    print(f'check_docs: {len(problems)} problem(s)')
    sys.exit(1)
print(f'check_docs: ok ({len(files)} files)')
PY
