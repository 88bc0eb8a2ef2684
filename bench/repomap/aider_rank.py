"""aider's RepoMap ranking for many questions over one corpus, for bench/map-quality.ts: the tags
are read once (aider's cache), then each question's mentioned files and identifiers personalise
a ranking of its own. Prints one JSON line: aider's tags per file and, per question, the files in
the order of their best-ranked definition.

Usage: aider_rank.py < '{"root": ..., "files": [...], "questions": [{"mentionedFiles": [...], "mentionedIdents": [...]}, ...]}'
"""
import json
import os
import sys

from aider.repomap import RepoMap

from aider_map import Model, Quiet


def ranked_files(repo_map, files, mentioned_files, mentioned_idents):
    ranked, seen = [], set()
    for tag in repo_map.get_ranked_tags([], files, mentioned_files, mentioned_idents):
        # Files without tags come last as 1-tuples: they rank nothing.
        if len(tag) == 5 and tag.rel_fname not in seen:
            seen.add(tag.rel_fname)
            ranked.append(tag.rel_fname)
    return ranked


def main():
    request = json.load(sys.stdin)
    root = request["root"]
    files = [os.path.join(root, path) for path in request["files"]]
    repo_map = RepoMap(map_tokens=1024, root=root, main_model=Model(), io=Quiet(), refresh="always")
    rankings = [
        ranked_files(repo_map, files, set(question["mentionedFiles"]), set(question["mentionedIdents"]))
        for question in request["questions"]
    ]
    tags = {path: [[tag.kind, tag.name] for tag in repo_map.get_tags(os.path.join(root, path), path)] for path in request["files"]}
    print(json.dumps({"tags": tags, "rankings": rankings}))


if __name__ == "__main__":
    main()
