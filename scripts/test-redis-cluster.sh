#!/usr/bin/env bash
# The realtime and dialer e2e suites against a local three-master Redis Cluster
# (pub/sub fan-out across the cluster, hash-tagged multi-key commands), then stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
nodes=$(scripts/redis-cluster.sh start)
trap 'scripts/redis-cluster.sh stop' EXIT
echo "Redis Cluster: $nodes"
TEST_REDIS_CLUSTER_NODES="$nodes" npm test -- --selectProjects e2e --testPathPatterns 'realtime-|dialer-' "$@"
