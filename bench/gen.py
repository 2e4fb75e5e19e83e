#!/usr/bin/env python3
"""Generates a synthetic design with N components spread over S stages, using
every kind and clause, for benchmarks: bench/gen.py N [S] > design.arch"""
import sys

def component(i):
    kind = i % 8
    if kind == 0:
        return f"web w{i} stateless autoscale 2..6 at cpu 60% behind lb l{i - i % 8} port 8080 health /health size medium sessions in cache c{i - i % 8 + 3}"
    if kind == 1:
        return f"lb l{i - 1} haproxy least-conn sticky"
    if kind == 2:
        return f"db d{i} postgres sharded by user_id x2 with 1 replica storage 50gb"
    if kind == 3:
        return f"cache c{i} redis x2 ttl 10m evict lru memory 1gb"
    if kind == 4:
        return f"cdn n{i} for /s{i}, /i{i} ttl 1d versioned"
    if kind == 5:
        return f"nosql n{i} mongodb x3"
    if kind == 6:
        return f"queue q{i} sqs"
    return f"worker k{i} x2 consumes q{i - 1} image \"reg/worker:{i}\""

def main():
    n = int(sys.argv[1])
    stages = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    print("system bench")
    per = max(1, n // stages)
    i = 0
    for s in range(stages):
        if stages > 1:
            print(f"stage s{s} {{")
        # each stage declares its own slice; later stages inherit earlier ones
        while i < n and (i < per * (s + 1) or s == stages - 1):
            print(("  " if stages > 1 else "") + component(i))
            i += 1
        if stages > 1:
            print("}")

main()
