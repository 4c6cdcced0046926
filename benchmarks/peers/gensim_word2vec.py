#!/usr/bin/python3
"""Peer benchmark for issue 7: gensim 4.2 Word2Vec on the same corpus, tokenizer and settings as Engine.Text.

Run with Debian's python (python3-gensim 4.2):
    /usr/bin/python3 benchmarks/peers/gensim_word2vec.py --corpus /work/shared/data/text_corpus \
        --wordsim /work/shared/data/wordsim --threads 1 [--threads 2] [--out vectors.bin]

Tokenizer (kept identical to Engine.Text's benchmark setting): each line is a sentence; a token is a
maximal run of letters (Unicode) and apostrophes (' and U+2019), lowercased, U+2019 mapped to ',
apostrophes trimmed from both ends; sentences longer than 10,000 tokens are cut into pieces
(gensim's own limit). Files that are not valid UTF-8 are decoded as ISO-8859-1.

Prints one JSON line per thread count with timings (raw and effective words/s, as gensim counts them)
and the three scores (WordSim-353 and SimLex-999 Spearman, analogy accuracy on the 30,000 most
frequent words), computed the same way as Engine.Text's evaluator.
"""
import argparse
import json
import logging
import os
import re
import sys
import time

import numpy as np
from scipy.stats import spearmanr
from gensim.models import Word2Vec

TOKEN = re.compile(r"(?:[^\W\d_]|['\u2019])+")
MAX_SENTENCE = 10000


def read_text(path):
    data = open(path, 'rb').read()
    try:
        return data.decode('utf-8')
    except UnicodeDecodeError:
        return data.decode('latin-1')


def tokenize_line(line):
    out = []
    for m in TOKEN.finditer(line.lower()):
        t = m.group(0).replace('\u2019', "'").strip("'")
        if t:
            out.append(t)
    return out


def load_corpus(root):
    files = []
    if os.path.isfile(root):
        files = [root]
    else:
        for d, _, names in os.walk(root):
            files += [os.path.join(d, n) for n in names if n.endswith('.txt')]
    files.sort()  # ordinal order, same as Engine.Text's CorpusReader
    sentences = []
    for f in files:
        for line in read_text(f).split('\n'):
            toks = tokenize_line(line)
            for i in range(0, len(toks), MAX_SENTENCE):
                sentences.append(toks[i:i + MAX_SENTENCE])
    return files, sentences


def pairs_spearman(wv, path, delim, col):
    gold, pred, oov = [], [], 0
    with open(path, encoding='utf-8', errors='replace') as fh:
        lines = fh.read().splitlines()[1:]
    for line in lines:
        parts = line.split(delim)
        if len(parts) <= col:
            continue
        a, b = parts[0].strip().lower(), parts[1].strip().lower()
        if a not in wv.key_to_index or b not in wv.key_to_index:
            oov += 1
            continue
        gold.append(float(parts[col]))
        pred.append(float(wv.similarity(a, b)))
    return float(spearmanr(gold, pred).correlation), len(gold), oov


def analogy(wv, path, restrict=30000):
    # 3CosAdd on unit vectors, candidates limited to the `restrict` most frequent words, a, b, c excluded
    # (what word2vec's compute-accuracy and gensim's evaluate_word_analogies do).
    n = min(restrict, len(wv.index_to_key))
    vecs = wv.get_normed_vectors()[:n]
    idx = {w: i for i, w in enumerate(wv.index_to_key[:n])}
    correct = total = oov = 0
    for line in open(path, encoding='utf-8'):
        if line.startswith(':'):
            continue
        w = line.lower().split()
        if len(w) != 4:
            continue
        if any(x not in idx for x in w):
            oov += 1
            continue
        a, b, c, d = (idx[x] for x in w)
        q = vecs[b] - vecs[a] + vecs[c]
        sims = vecs @ q
        sims[[a, b, c]] = -np.inf
        total += 1
        correct += int(np.argmax(sims) == d)
    return correct / max(total, 1), total, oov


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--corpus', required=True)
    ap.add_argument('--wordsim', required=True, help='folder with wordsim353/, simlex999/, analogy/')
    ap.add_argument('--threads', type=int, action='append')
    ap.add_argument('--epochs', type=int, default=5)
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--cbow', action='store_true')
    ap.add_argument('--out', help='save the last model as word2vec binary')
    args = ap.parse_args()
    logging.basicConfig(level=logging.WARNING)

    files, sentences = load_corpus(args.corpus)
    raw = sum(len(s) for s in sentences)
    print(f'# {len(files)} files, {len(sentences)} sentences, {raw} tokens', file=sys.stderr)
    for threads in args.threads or [1]:
        model = Word2Vec(vector_size=100, window=5, negative=5, hs=0, sg=0 if args.cbow else 1,
                         min_count=5, sample=1e-3, alpha=0.025, min_alpha=0.0001,
                         workers=threads, seed=args.seed, epochs=args.epochs)
        model.build_vocab(sentences)
        t0 = time.perf_counter()
        c0 = time.process_time()
        effective, raw_done = model.train(sentences, total_examples=len(sentences), epochs=args.epochs)
        secs = time.perf_counter() - t0
        cpu = time.process_time() - c0
        ws = os.path.join(args.wordsim, 'wordsim353', 'combined.tab')
        sl = os.path.join(args.wordsim, 'simlex999', 'SimLex-999.txt')
        an = os.path.join(args.wordsim, 'analogy', 'questions-words.txt')
        ws_r, ws_n, ws_oov = pairs_spearman(model.wv, ws, '\t', 2)
        sl_r, sl_n, sl_oov = pairs_spearman(model.wv, sl, '\t', 3)
        an_acc, an_n, an_oov = analogy(model.wv, an)
        print(json.dumps({
            'peer': 'gensim', 'version': __import__('gensim').__version__, 'threads': threads,
            'mode': 'cbow' if args.cbow else 'skipgram', 'epochs': args.epochs,
            'vocab': len(model.wv.index_to_key), 'raw_words': raw_done, 'effective_words': effective,
            'seconds': round(secs, 3), 'cpu_seconds': round(cpu, 3), 'load_average': os.getloadavg()[0],
            'raw_words_per_s': round(raw_done / secs),
            'effective_words_per_s': round(effective / secs),
            'wordsim353': round(ws_r, 4), 'wordsim353_pairs': ws_n, 'wordsim353_oov': ws_oov,
            'simlex999': round(sl_r, 4), 'simlex999_pairs': sl_n, 'simlex999_oov': sl_oov,
            'analogy': round(an_acc, 4), 'analogy_questions': an_n, 'analogy_oov': an_oov,
        }), flush=True)
        if args.out:
            model.wv.save_word2vec_format(args.out, binary=True)


if __name__ == '__main__':
    main()
