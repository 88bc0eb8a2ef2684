"""aider's RepoMap on one corpus, for bench/repomap.ts: the same files, mentioned files and
identifiers as PyAgent's map gets; prints one JSON line with the build time of a map of the
given budget, its tokens, the ranking (files, and (file, name) pairs, best first) and its tags.

Usage: aider_map.py '{"root": ..., "files": [...], "mentionedFiles": [...], "mentionedIdents": [...], "tokens": 1024, "rankLimit": 200}'
"""
import json
import os
import sys
import time

# litellm (an aider dependency) ships tiktoken's cl100k_base file and points tiktoken's cache at
# it on import, so no download is needed.
from litellm.litellm_core_utils.default_encoding import encoding as ENCODING
from aider.repomap import RepoMap


class Model:
    """aider asks its model for token counts; PyAgent's bench counts with cl100k_base too."""

    def token_count(self, text):
        return len(ENCODING.encode(text, disallowed_special=()))


class Quiet:
    """aider's InputOutput, reduced to what RepoMap calls."""

    def read_text(self, fname):
        try:
            with open(fname, encoding="utf-8") as handle:
                return handle.read()
        except (OSError, UnicodeDecodeError):
            return None

    def tool_output(self, *args, **kwargs):
        pass

    tool_warning = tool_output
    tool_error = tool_output


def main():
    request = json.loads(sys.argv[1])
    root = request["root"]
    files = [os.path.join(root, path) for path in request["files"]]
    mentioned_files = set(request["mentionedFiles"])
    mentioned_idents = set(request["mentionedIdents"])
    repo_map = RepoMap(map_tokens=request["tokens"], root=root, main_model=Model(), io=Quiet(), refresh="always")

    started = time.perf_counter()
    text = repo_map.get_ranked_tags_map([], files, request["tokens"], mentioned_files, mentioned_idents, force_refresh=True)
    build_seconds = time.perf_counter() - started

    ranked = repo_map.get_ranked_tags([], files, mentioned_files, mentioned_idents)
    ranked_files, pairs, seen_files, seen_pairs = [], [], set(), set()
    for tag in ranked:
        if len(tag) != 5:
            continue
        if tag.rel_fname not in seen_files:
            seen_files.add(tag.rel_fname)
            ranked_files.append(tag.rel_fname)
        pair = (tag.rel_fname, tag.name)
        if pair not in seen_pairs:
            seen_pairs.add(pair)
            pairs.append(pair)
    limit = request["rankLimit"]
    # aider's own tags, so that the bench can rank them with PyAgent's ranking and tell the
    # ranking apart from the tags: {path: [[kind, name], ...]}.
    tags = {}
    for path in request["files"]:
        tags[path] = [[tag.kind, tag.name] for tag in repo_map.get_tags(os.path.join(root, path), path)]
    print(json.dumps({
        "tags": tags,
        "buildMs": round(build_seconds * 1000),
        "tokens": Model().token_count(text or ""),
        "files": ranked_files[:limit],
        "pairs": [list(pair) for pair in pairs[:limit]],
    }))


if __name__ == "__main__":
    main()
