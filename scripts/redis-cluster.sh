#!/usr/bin/env bash
# A local three-master Redis Cluster for the cluster runs of the e2e suites:
#   scripts/redis-cluster.sh start   → prints the REDIS_CLUSTER_NODES value (127.0.0.1:7101,…)
#   scripts/redis-cluster.sh stop
# Ports: REDIS_CLUSTER_PORTS (default "7101 7102 7103"); data under .data/redis-cluster (nothing persisted).
set -euo pipefail
cd "$(dirname "$0")/.."
PORTS=(${REDIS_CLUSTER_PORTS:-7101 7102 7103})
DIR=.data/redis-cluster
nodes() { local IFS=,; echo "${PORTS[*]/#/127.0.0.1:}"; }

case "${1:-start}" in
  start)
    if redis-cli -p "${PORTS[0]}" cluster info 2>/dev/null | grep -q 'cluster_state:ok'; then nodes; exit 0; fi
    mkdir -p "$DIR"
    for p in "${PORTS[@]}"; do
      redis-cli -p "$p" shutdown nosave >/dev/null 2>&1 || true
      rm -f "$DIR/nodes-$p.conf"
      redis-server --port "$p" --bind 127.0.0.1 --cluster-enabled yes --cluster-config-file "nodes-$p.conf" \
        --cluster-node-timeout 2000 --save "" --appendonly no --dir "$DIR" --daemonize yes --logfile "redis-$p.log"
    done
    for p in "${PORTS[@]}"; do
      for _ in $(seq 1 50); do redis-cli -p "$p" ping >/dev/null 2>&1 && break; sleep 0.1; done
    done
    redis-cli --cluster create $(for p in "${PORTS[@]}"; do printf "127.0.0.1:%s " "$p"; done) --cluster-replicas 0 --cluster-yes >/dev/null
    # ready when every node says ok and knows every other (pub/sub is relayed over the cluster bus:
    # a message published before the bus is whole does not reach every node's subscribers)
    ready() {
      for p in "${PORTS[@]}"; do
        local info; info=$(redis-cli -p "$p" cluster info)
        grep -q 'cluster_state:ok' <<<"$info" || return 1
        grep -q "cluster_known_nodes:${#PORTS[@]}" <<<"$info" || return 1
        [ "$(redis-cli -p "$p" cluster nodes | grep -c connected)" -eq "${#PORTS[@]}" ] || return 1
      done
    }
    for _ in $(seq 1 200); do ready && break; sleep 0.1; done
    ready || { echo "redis cluster did not become ready" >&2; exit 1; }
    nodes
    ;;
  stop)
    for p in "${PORTS[@]}"; do redis-cli -p "$p" shutdown nosave >/dev/null 2>&1 || true; done
    ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
