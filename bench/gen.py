#!/usr/bin/env python3
"""Generates a synthetic design of about N components for benchmarks, shaped like
a large real system: blocks of 64 components, each a load balancer fronting 12
web tiers, one CDN, and the databases, caches, document stores, queues and
workers those tiers use. Every kind and clause appears; the design checks
without errors.

    bench/gen.py N [S] > design.arch

With S > 1 stages, the first is a single-server stage (colocated database and
cache), and the blocks are spread over the remaining S - 1 stages; each stage
inherits the ones before it. benches/pipeline.rs holds a copy of this generator:
change both together."""
import sys

BLOCK = 64
SIZES = ["small", "medium", "large", "xlarge"]
METHODS = ["round-robin", "least-conn", "ip-hash"]


def block(b):
    """The 64 statements of block b, in an order where every reference points
    back, so any prefix of a block is a valid design too."""
    out = []
    for j in range(10):
        engine = "postgres" if j % 2 == 0 else "mysql"
        shape = "sharded by user_id x2 with 1 replica" if j % 3 == 0 else ["with 1 replica", "with 2 replicas"][j % 2]
        out.append(f"db d{b}-{j} {engine} {shape} storage {20 + 10 * j}gb size {SIZES[j % 4]}")
    for j in range(10):
        engine = "memcached" if j % 3 == 2 else "redis"
        evict = ["lru", "lfu", "none"][j % 3]
        ttl = "10m" if j % 2 == 0 else "1h"
        out.append(f"cache c{b}-{j} {engine} x{2 + j % 2} ttl {ttl} evict {evict} memory {512 * (1 + j % 2)}mb size {SIZES[j % 4]}")
    for j in range(6):
        out.append(f"nosql m{b}-{j} mongodb x3" if j % 2 == 0 else f"nosql m{b}-{j} dynamodb x2")
    for j in range(12):
        out.append(f"queue q{b}-{j} {['sqs', 'rabbitmq', 'redis'][j % 3]}")
    for j in range(12):
        out.append(f"worker k{b}-{j} x{1 + j % 3} consumes q{b}-{j} image \"reg/worker-{j}:{b}\" size {SIZES[j % 4]}")
    method = METHODS[b % 3]
    sticky = b % 3 == 1
    out.append(f"lb l{b} {'nginx' if b % 2 == 0 else 'haproxy'} {method}{' sticky' if sticky else ''}")
    out.append(f"cdn f{b} for /s{b}, /img{b} ttl {'1d' if b % 2 == 0 else '1h'}{' versioned' if b % 2 == 0 else ''}")
    for j in range(12):
        routed = method == "ip-hash" or sticky
        words = [f"web w{b}-{j}", "stateful" if routed and j % 4 == 3 else "stateless"]
        words.append([f"autoscale 2..{4 + j} at cpu {50 + j}%", "x2", "autoscale 2..8"][j % 3])
        words.append(f"behind lb l{b}")
        if j % 2 == 0:
            words.append(f"port {8000 + j}")
        if j % 3 == 1:
            words.append(f"image \"reg/web-{j}:{b}\"")
        if j % 5 == 4:
            words.append("health /up")
        if words[1] == "stateless":
            words.append([f"sessions in cache c{b}-{j % 10}", f"sessions in db d{b}-{j % 10}",
                          f"sessions in nosql m{b}-{j % 6}", ""][j % 4])
        words.append(f"size {SIZES[j % 4]}")
        out.append(" ".join(w for w in words if w))
    return out


def components(n):
    out = []
    b = 0
    while len(out) < n:
        out.extend(block(b)[: n - len(out)])
        b += 1
    return out


def main():
    n = int(sys.argv[1])
    stages = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    print("system bench")
    print("region eu-west-1")
    print("datacenters eu-west-1, us-east-1 via geodns")
    print("logs")
    print("metrics")
    comps = components(n)
    if stages <= 1:
        for c in comps:
            print(c)
        return
    # The single-server stage, then the blocks, whole, over the other stages.
    print("stage s0 {")
    print("  web app x1 port 8080")
    print("  db main postgres colocated")
    print("  cache hot redis colocated ttl 5m evict lru")
    print("}")
    print("stage s1 {")
    print("  drop cache hot")
    print("  db main postgres with 2 replicas")
    blocks = [comps[i : i + BLOCK] for i in range(0, len(comps), BLOCK)]
    per = -(-len(blocks) // (stages - 1))
    for s in range(1, stages):
        if s > 1:
            print(f"stage s{s} {{")
        for blk in blocks[(s - 1) * per : s * per]:
            for c in blk:
                print("  " + c)
        print("}")


main()
