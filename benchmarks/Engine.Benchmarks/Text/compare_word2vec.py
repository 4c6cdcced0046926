#!/usr/bin/python3
"""Full Word2Vec comparison for issue 7: Engine (`engine word2vec` / `engine word2vec-eval`) against
gensim 4.2 (benchmarks/peers/gensim_word2vec.py) on all of shared/data/text_corpus, skip-gram,
dim 100, window 5, negative 5, 5 epochs, min-count 5, with 1 and 2 threads.

Runs alternate between the two tools (gensim 1 thread, engine 1 thread, gensim 2 threads, engine
2 threads), `--rounds` times with seed = round number, so background load hits both alike;
throughput is the median over rounds, scores are the mean. Prints a markdown table and writes the raw runs as JSON.

    dotnet build -c Release src/Engine.Cli
    /usr/bin/python3 benchmarks/Engine.Benchmarks/Text/compare_word2vec.py --rounds 3
"""
import argparse
import datetime
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..'))


def run(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f'command failed ({p.returncode}): {" ".join(cmd)}\n{p.stdout}\n{p.stderr}')
    return p.stdout


def engine_run(engine, corpus, wordsim, threads, out, seed):
    text = run([engine, 'word2vec', '--corpus', corpus, '--out', out, '--threads', str(threads), '--latin1',
                '--dim', '100', '--window', '5', '--negative', '5', '--epochs', '5', '--min-count', '5', '--seed', str(seed)])
    m = re.search(r'trained: (\d+) raw words \((\d+) effective\) in ([\d.]+) s.*cpu time ([\d.]+) s', text)
    raw, eff, secs, cpu = int(m.group(1)), int(m.group(2)), float(m.group(3)), float(m.group(4))
    ev = run([engine, 'word2vec-eval', '--vectors', out, '--wordsim', wordsim])
    ws = float(re.search(r'WordSim-353 Spearman: ([-\d.]+)', ev).group(1))
    sl = float(re.search(r'SimLex-999 Spearman: ([-\d.]+)', ev).group(1))
    an = float(re.search(r'Analogy accuracy: ([-\d.]+)', ev).group(1))
    return {'tool': 'engine', 'threads': threads, 'seconds': secs, 'cpu_seconds': cpu, 'raw_words_per_s': raw / secs,
            'effective_words_per_s': eff / secs, 'wordsim353': ws, 'simlex999': sl, 'analogy': an}


def gensim_run(corpus, wordsim, threads, seed):
    peer = os.path.join(ROOT, 'benchmarks', 'peers', 'gensim_word2vec.py')
    line = run(['/usr/bin/python3', peer, '--corpus', corpus, '--wordsim', wordsim, '--threads', str(threads), '--seed', str(seed)]).strip().splitlines()[-1]
    r = json.loads(line)
    return {'tool': 'gensim', 'threads': threads, 'seconds': r['seconds'], 'cpu_seconds': r['cpu_seconds'], 'raw_words_per_s': r['raw_words_per_s'],
            'effective_words_per_s': r['effective_words_per_s'], 'wordsim353': r['wordsim353'],
            'simlex999': r['simlex999'], 'analogy': r['analogy']}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--data', default=os.environ.get('ENGINE_DATA', os.path.join(ROOT, '..', 'shared', 'data')))
    ap.add_argument('--engine', default=os.path.join(ROOT, 'src', 'Engine.Cli', 'bin', 'Release', 'net10.0', 'engine'))
    ap.add_argument('--rounds', type=int, default=3)
    ap.add_argument('--threads', type=int, nargs='+', default=[1, 2])
    ap.add_argument('--json', default=os.path.join(tempfile.gettempdir(), 'word2vec_comparison.json'))
    args = ap.parse_args()
    corpus = os.path.join(args.data, 'text_corpus')
    wordsim = os.path.join(args.data, 'wordsim')
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(args.rounds):
            for t in args.threads:
                for tool in ('gensim', 'engine'):
                    res = (gensim_run(corpus, wordsim, t, r + 1) if tool == 'gensim'
                           else engine_run(args.engine, corpus, wordsim, t, os.path.join(tmp, 'v.bin'), r + 1))
                    res['round'] = r + 1
                    res['load_average'] = os.getloadavg()[0]
                    runs.append(res)
                    print(json.dumps(res), file=sys.stderr, flush=True)
    with open(args.json, 'w') as fh:
        json.dump(runs, fh, indent=1)

    def pick(tool, t, key, agg):
        return agg([x[key] for x in runs if x['tool'] == tool and x['threads'] == t])

    print(f'Measured {datetime.date.today().isoformat()}, {args.rounds} alternating round(s); `{" ".join(sys.argv)}`')
    print()
    loads = [x['load_average'] for x in runs]
    print(f'1-minute load average during the runs: {min(loads):.1f} to {max(loads):.1f} (2 cores)')
    print()
    print('| threads | engine words/s | gensim words/s | ratio | engine WordSim-353 | gensim | engine SimLex-999 | gensim | engine analogy | gensim | engine cpu s | gensim cpu s |')
    print('|---|---|---|---|---|---|---|---|---|---|---|---|')
    for t in args.threads:
        e = pick('engine', t, 'raw_words_per_s', statistics.median)
        g = pick('gensim', t, 'raw_words_per_s', statistics.median)
        cells = [str(t), f'{e:,.0f}', f'{g:,.0f}', f'{e / g:.2f}x']
        for key in ('wordsim353', 'simlex999', 'analogy'):
            cells += [f'{pick("engine", t, key, statistics.mean):.3f}', f'{pick("gensim", t, key, statistics.mean):.3f}']
        cells += [f'{pick("engine", t, "cpu_seconds", statistics.median):.1f}', f'{pick("gensim", t, "cpu_seconds", statistics.median):.1f}']
        print('| ' + ' | '.join(cells) + ' |')


if __name__ == '__main__':
    main()
