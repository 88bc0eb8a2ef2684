"""Peer measurements for bench/constrain.ts: outlines-core and llguidance, run in bench/.venv.

    constrain_peers.py JOB               one JSON result for the job on stdout
    constrain_peers.py --first-mask JOB  llguidance's time to first mask, one round per stdin line

Vocabularies are built from the same rank files @dqbd/tiktoken ships (no model hub), so all
engines see identical token ids.
"""
import base64
import json
import multiprocessing
import sys
import time

import llguidance
import outlines_core
import tiktoken
from llguidance.tiktoken import lltokenizer_from_encoding
from outlines_core.json_schema import build_regex_from_schema


def load_ranks(path):
    data = json.load(open(path))
    ranks = {}
    for line in data["bpe_ranks"].splitlines():
        fields = line.split(" ")
        if len(fields) < 2:
            continue
        first = int(fields[1])
        for i, token in enumerate(fields[2:]):
            ranks[base64.b64decode(token)] = first + i
    return data, ranks


def ms(start):
    return (time.perf_counter() - start) * 1e3


def outlines_index(regex, ranks, eos, pipe):
    vocabulary = outlines_core.Vocabulary(eos, {token: [rank] for token, rank in ranks.items()})
    started = time.perf_counter()
    index = outlines_core.Index(regex, vocabulary)
    index_ms = ms(started)
    state = index.get_initial_state()
    rounds = 2000
    started = time.perf_counter()
    for _ in range(rounds):
        index.get_allowed_tokens(state)
    pipe.send({"indexMs": index_ms, "maskUs": ms(started) * 1e3 / rounds})


def outlines_index_with_timeout(regex, ranks, eos, timeout):
    """outlines-core's Index can take many minutes on large DFAs: stop it at `timeout` seconds."""
    receiver, sender = multiprocessing.Pipe(duplex=False)
    child = multiprocessing.get_context("fork").Process(target=outlines_index, args=(regex, ranks, eos, sender))
    child.start()
    if receiver.poll(timeout):
        timings = receiver.recv()
        child.join()
        return timings
    child.terminate()
    child.join()
    return {"timedOut": True}


def tiktoken_encoding(job, data, ranks):
    return tiktoken.Encoding(
        name=job["encoding"], pat_str=data["pat_str"], mergeable_ranks=ranks, special_tokens=data["special_tokens"]
    )


def new_matcher(tokenizer, job):
    options = {"whitespace_flexible": job.get("whitespace") is not None}
    grammar = llguidance.LLMatcher.grammar_from_json_schema(job["schema"], defaults=options)
    return llguidance.LLMatcher(tokenizer, grammar)


def first_mask_rounds(job):
    """Loads the tokenizer once (printed first, like our vocabulary: once per process), then per
    stdin line compiles the schema afresh and computes the first mask, printing its time."""
    data, ranks = load_ranks(job["encoderPath"])
    encoding = tiktoken_encoding(job, data, ranks)
    started = time.perf_counter()
    tokenizer = lltokenizer_from_encoding(encoding)
    print(json.dumps({"tokenizerMs": ms(started)}), flush=True)
    for _ in sys.stdin:
        started = time.perf_counter()
        matcher = new_matcher(tokenizer, job)
        matcher.compute_bitmask()
        elapsed = ms(started)
        print(json.dumps({"ms": elapsed, "error": matcher.get_error() if matcher.is_error() else None}), flush=True)


def main():
    if sys.argv[1] == "--first-mask":
        first_mask_rounds(json.load(open(sys.argv[2])))
        return
    job = json.load(open(sys.argv[1]))
    data, ranks = load_ranks(job["encoderPath"])
    specials = data["special_tokens"]
    eos = specials["<|endoftext|>"]
    result = {}

    started = time.perf_counter()
    regex = build_regex_from_schema(json.dumps(job["schema"]), job.get("whitespace"))
    result["outlinesRegexMs"] = ms(started)
    result["outlinesRegex"] = regex
    timeout = job.get("outlinesTimeoutSec", 120)
    small_regex = None
    if job.get("smallSchema") is not None:
        small_regex = build_regex_from_schema(json.dumps(job["smallSchema"]), job.get("whitespace"))
        result["outlinesSmallRegex"] = small_regex
    for name, pattern in [("outlines", regex), ("outlinesSmall", small_regex)]:
        if pattern is None:
            continue
        timings = outlines_index_with_timeout(pattern, ranks, eos, timeout)
        result[f"{name}IndexMs"] = timings.get("indexMs")
        result[f"{name}MaskUs"] = timings.get("maskUs")
        result[f"{name}TimedOut"] = timings.get("timedOut", False)
    result["outlinesTimeoutSec"] = timeout

    encoding = tiktoken_encoding(job, data, ranks)
    tokenizer = lltokenizer_from_encoding(encoding)
    matcher = new_matcher(tokenizer, job)
    tokens = encoding.encode(job["instance"], disallowed_special=())
    started = time.perf_counter()
    for token in tokens:
        matcher.compute_bitmask()
        matcher.consume_token(token)
    result["llguidanceMaskUs"] = ms(started) * 1e3 / max(1, len(tokens))
    result["llguidanceAccepted"] = matcher.is_accepting() and not matcher.is_error()

    coverage = {"outlines": 0, "llguidance": 0}
    for schema in job.get("corpus", []):
        try:
            build_regex_from_schema(json.dumps(schema))
            coverage["outlines"] += 1
        except Exception:
            pass
        try:
            is_error, _ = llguidance.LLMatcher.validate_grammar_with_warnings(
                llguidance.LLMatcher.grammar_from_json_schema(schema), tokenizer
            )
            coverage["llguidance"] += 0 if is_error else 1
        except Exception:
            pass
    result["coverage"] = coverage
    print(json.dumps(result))


if __name__ == "__main__":
    main()
