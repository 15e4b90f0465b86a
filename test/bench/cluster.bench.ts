// Scale-out benchmark (issue "Scale-out and resilience"): the same load per node on 1, 2 and 3
// firedrill nodes (child processes sharing PostgreSQL and Redis), participants spread over the nodes
// as a load balancer without session affinity would spread them. Prints, per cluster size, the
// participants per node, the action round trip (p50, p99) and the telemetry delivered, and the
// scaling ratios against one node. Asserts nothing; never runs in `npm test`.
//
// Run:   npx tsx test/bench/cluster.bench.ts
//        CLUSTER_NODES=1,2,3 CLUSTER_PER_NODE=200 CLUSTER_WINDOW_S=30 npx tsx test/bench/cluster.bench.ts
//
// Needs PostgreSQL and Redis (FIREDRILL_TEST_PG_URL, FIREDRILL_TEST_REDIS_URL; defaults on
// 127.0.0.1). Each level gets fresh nodes, a fresh schema (dropped afterwards) and its own Redis
// prefix. The bots are lean engine.io clients (test/bench/load/sio.ts) in this process.
//
// Method:
// - sessions of CLUSTER_TEAMS × CLUSTER_TEAM_SIZE participants, speed 1, created round robin on the
//   nodes (the creating node owns the session); each participant connects to the next node in turn
//   (CLUSTER_SPREAD=spread, the default: most actions are forwarded to another node; `local` puts
//   every participant on its session's owner, the best case with session affinity);
// - every participant sends an `observe` action every CLUSTER_ACTION_PERIOD_S (random phase); the
//   round trip is from sending `42<id>["action",…]` to its ack, measured in this process;
// - telemetry: frames received per second by all bots in the window;
// - scaling ratios: actions per second at N nodes ÷ (N × actions per second at 1 node) (1.0 = linear),
//   and p99 at N nodes ÷ p99 at 1 node (1.0 = no added latency).
// One machine runs every node, the bots, PostgreSQL and Redis: with fewer cores than nodes + 2 the
// ratios measure CPU contention, not the design. The figures to keep come from a quiet machine.
import { performance } from 'node:perf_hooks';
import { cpus } from 'node:os';
import { SioClient } from './load/sio.ts';
import { createSession } from '../helpers/live.ts';
import { dropRedisPrefix, freshSchema, startNode, stopNode, uniquePrefix, type NodeProcess } from '../cluster/helpers.ts';

const env = process.env;
const LEVELS = (env.CLUSTER_NODES ?? '1,2,3').split(',').map(Number).filter((n) => n > 0);
const PER_NODE = Number(env.CLUSTER_PER_NODE ?? 200);
const WINDOW_S = Number(env.CLUSTER_WINDOW_S ?? 30);
const WARMUP_S = Number(env.CLUSTER_WARMUP_S ?? 5);
const TEAMS = Array.from({ length: Number(env.CLUSTER_TEAMS ?? 2) }, (_, i) => ['red', 'blue', 'green', 'gold'][i] ?? `team-${i + 1}`);
const TEAM_SIZE = Number(env.CLUSTER_TEAM_SIZE ?? 10);
const ACTION_PERIOD_MS = Number(env.CLUSTER_ACTION_PERIOD_S ?? 10) * 1000;
const SPREAD = env.CLUSTER_SPREAD !== 'local';

interface Level {
  nodes: number;
  participants: number;
  sessions: number;
  actions: number;
  failed: number;
  p50: number;
  p99: number;
  max: number;
  framesPerS: number;
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function runLevel(n: number): Promise<Level> {
  const schema = await freshSchema();
  const prefix = uniquePrefix();
  const nodes: NodeProcess[] = [];
  const bots: SioClient[] = [];
  const timers: ReturnType<typeof setTimeout>[] = [];
  try {
    nodes.push(await startNode({ id: 'b1', schema: schema.name, prefix, leaseTtlMs: 5000 }));
    nodes.push(...(await Promise.all(Array.from({ length: n - 1 }, (_, i) => startNode({ id: `b${i + 2}`, schema: schema.name, prefix, leaseTtlMs: 5000 })))));
    const perSession = TEAMS.length * TEAM_SIZE;
    const sessions = Math.max(1, Math.round((PER_NODE * n) / perSession));
    const ws = (url: string) => url.replace('http://', 'ws://') + '/socket.io/?EIO=4&transport=websocket';
    let frames = 0;
    let measuring = false;
    const rtts: number[] = [];
    let failed = 0;
    let connectAt = 0;
    for (let s = 0; s < sessions; s++) {
      const owner = nodes[s % n];
      const created = await createSession(owner.url, { scenario: 'friday-deploy', teams: TEAMS, seed: s + 1, speed: 1 });
      const joins: Promise<void>[] = [];
      for (const [ti, team] of TEAMS.entries()) {
        for (let k = 0; k < TEAM_SIZE; k++) {
          const node = SPREAD ? nodes[connectAt++ % n] : owner;
          // A distinct loopback source address per bot: joins are rate-limited per IP.
          const i = bots.length + 1;
          const bot = new SioClient(ws(node.url), { code: created.joinCode, team, name: `bot-${ti}-${k}` }, {
            telemetry: () => {
              if (measuring) frames++;
            },
          }, `127.${1 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`);
          bots.push(bot);
          joins.push(bot.ready);
        }
      }
      await Promise.all(joins);
      const fac = new SioClient(ws(nodes[(s + 1) % n].url), { token: created.facilitatorToken }, {});
      await fac.ready;
      await new Promise<void>((resolve, reject) =>
        fac.emitWithAck('command', { key: `start-${s}-${prefix}`, command: 'start' }, (r: { ok: boolean; error?: unknown }) => (r.ok ? resolve() : reject(new Error(JSON.stringify(r.error))))),
      );
      fac.close();
    }
    // Every bot acts every ACTION_PERIOD_MS, with a random phase.
    let seq = 0;
    for (const bot of bots) {
      const tick = () => {
        const sent = performance.now();
        const counted = measuring;
        bot.emitWithAck('action', { key: `k${++seq}-${prefix}`.slice(0, 64), action: { action: 'observe', service: 'orders', view: 'metrics' } }, (r: { ok: boolean }) => {
          if (!counted || !measuring) return;
          if (r.ok) rtts.push(performance.now() - sent);
          else failed++;
        });
        timers.push(setTimeout(tick, ACTION_PERIOD_MS));
      };
      timers.push(setTimeout(tick, Math.random() * ACTION_PERIOD_MS));
    }
    await sleep(WARMUP_S * 1000);
    measuring = true;
    await sleep(WINDOW_S * 1000);
    measuring = false;
    rtts.sort((a, b) => a - b);
    return {
      nodes: n,
      participants: bots.length,
      sessions,
      actions: rtts.length,
      failed,
      p50: quantile(rtts, 0.5),
      p99: quantile(rtts, 0.99),
      max: rtts[rtts.length - 1] ?? NaN,
      framesPerS: frames / WINDOW_S,
    };
  } finally {
    for (const t of timers) clearTimeout(t);
    for (const b of bots) b.close();
    await Promise.all(nodes.map((node) => stopNode(node, 'SIGKILL')));
    await schema.drop();
    await dropRedisPrefix(prefix);
  }
}

const results: Level[] = [];
console.log(`cluster bench: ${PER_NODE} participants per node, sessions of ${TEAMS.length}×${TEAM_SIZE}, an action per participant every ${ACTION_PERIOD_MS / 1000} s, ${SPREAD ? 'participants spread over the nodes' : 'participants on their session\u2019s owner'}; ${cpus().length} cores`);
for (const n of LEVELS) {
  const r = await runLevel(n);
  results.push(r);
  console.log(`  ${n} node(s): ${r.participants} participants in ${r.sessions} sessions; ${r.actions} actions (${r.failed} refused) — round trip p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms, max ${r.max.toFixed(1)} ms; ${r.framesPerS.toFixed(0)} telemetry frames/s delivered`);
}
const one = results.find((r) => r.nodes === 1);
if (one) {
  console.log('\n| nodes | participants | per node | actions/s | p50 ms | p99 ms | frames/s | throughput ratio | p99 ratio |');
  console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of results) {
    const aps = r.actions / WINDOW_S;
    const ratio = aps / (r.nodes * (one.actions / WINDOW_S));
    console.log(`| ${r.nodes} | ${r.participants} | ${Math.round(r.participants / r.nodes)} | ${aps.toFixed(1)} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.framesPerS.toFixed(0)} | ${ratio.toFixed(2)} | ${(r.p99 / one.p99).toFixed(2)} |`);
  }
}
process.exit(0);
