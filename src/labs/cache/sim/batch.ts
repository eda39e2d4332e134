/**
 * The hit-ratio curves: one seeded trace of the current workload (a million requests), replayed
 * through every policy at twenty cache sizes, with Belady's offline optimum as the bound. Work is
 * done in slices of CURVE_CHUNK requests, each followed by a progress report, so the runner can
 * keep the worker responsive and cancel.
 */
import type { BatchJob } from '../../../kernel/sim';
import {
  CURVE_CHUNK,
  CURVE_REQUESTS,
  CURVE_SIZES,
  type CurvePolicyName,
  POLICY_NAMES,
  policyLabel,
  WORKLOAD_LABELS,
} from './constants';
import type { CacheState } from './model';
import { createOpt, nextUseOf, runOpt } from './opt';
import { createPolicyCache } from './policies';
import { replayTrace } from './replay';
import { createWorkload, nextKey } from './workload';

export interface CurveParams {
  requests?: number;
  sizes?: number;
  policies?: CurvePolicyName[];
}

export interface CurveLine {
  policy: CurvePolicyName;
  hits: number[];
  hitRatios: number[];
}

export interface CurveResult {
  workload: string;
  requests: number;
  distinctKeys: number;
  sizes: number[];
  curves: CurveLine[];
}

export const CURVE_POLICIES: readonly CurvePolicyName[] = [...POLICY_NAMES, 'opt'];

/** `count` whole sizes spread evenly on a log scale from about top/200 up to top. */
export function curveSizes(top: number, count: number): number[] {
  if (top <= count) return Array.from({ length: top }, (_, i) => i + 1);
  const low = Math.max(1, Math.round(top / 200));
  const sizes = new Set<number>();
  for (let i = 0; i < count; i += 1) {
    const t = count === 1 ? 1 : i / (count - 1);
    sizes.add(Math.max(1, Math.round(low * (top / low) ** t)));
  }
  // Rounding can merge small sizes; fill in from the bottom so there are `count` of them.
  for (let s = 1; sizes.size < count && s <= top; s += 1) sizes.add(s);
  return [...sizes].sort((a, b) => a - b);
}

export function* runHitRatioCurves(
  state: CacheState,
  params: CurveParams | undefined,
): BatchJob<CurveResult> {
  const { settings } = state;
  const requests = Math.max(
    1,
    Math.min(CURVE_REQUESTS, Math.round(params?.requests ?? CURVE_REQUESTS)),
  );
  const sizeCount = Math.max(1, Math.min(CURVE_SIZES, Math.round(params?.sizes ?? CURVE_SIZES)));
  const policies = (params?.policies ?? CURVE_POLICIES).filter((p) => CURVE_POLICIES.includes(p));
  const chunksPerRun = Math.ceil(requests / CURVE_CHUNK);
  const keySpace = settings.keys;

  // The trace: the same workload and seed as the live run, drawn from a stream of its own.
  const workload = createWorkload(settings.workload, keySpace, settings.zipfS, 0, state.seed, 40);
  const trace = new Int32Array(requests);
  const seen = new Uint8Array(keySpace);
  let distinctKeys = 0;
  const generation = { done: 0, total: chunksPerRun, label: 'Generating the trace' };
  for (let chunk = 0; chunk < chunksPerRun; chunk += 1) {
    const end = Math.min(requests, (chunk + 1) * CURVE_CHUNK);
    for (let i = chunk * CURVE_CHUNK; i < end; i += 1) {
      const key = nextKey(workload);
      trace[i] = key;
      if (seen[key] === 0) {
        seen[key] = 1;
        distinctKeys += 1;
      }
    }
    generation.done = chunk + 1;
    yield { ...generation };
  }
  const sizes = curveSizes(distinctKeys, sizeCount);
  const next = policies.includes('opt') ? nextUseOf(trace, keySpace) : null;
  const total = policies.length * sizes.length * chunksPerRun;
  let done = 0;
  const curves: CurveLine[] = [];
  for (const policy of policies) {
    const line: CurveLine = { policy, hits: [], hitRatios: [] };
    for (const size of sizes) {
      const label = `${policyLabel(policy)}, ${size.toLocaleString('en-US')} slots`;
      let hits = 0;
      if (size >= distinctKeys) {
        // Room for every key the trace holds: nothing is ever evicted, under any policy (OPT
        // included), so each key misses once and every other request hits.
        hits = requests - distinctKeys;
        done += chunksPerRun;
        yield { done, total, label };
      } else if (policy === 'opt') {
        const opt = createOpt(size, keySpace);
        for (let chunk = 0; chunk < chunksPerRun; chunk += 1) {
          runOpt(
            opt,
            trace,
            next!,
            chunk * CURVE_CHUNK,
            Math.min(requests, (chunk + 1) * CURVE_CHUNK),
          );
          done += 1;
          yield { done, total, label };
        }
        hits = opt.hits;
      } else {
        const cache = createPolicyCache(policy, size, keySpace, state.seed);
        for (let chunk = 0; chunk < chunksPerRun; chunk += 1) {
          const end = Math.min(requests, (chunk + 1) * CURVE_CHUNK);
          hits += replayTrace(cache, trace, chunk * CURVE_CHUNK, end);
          done += 1;
          yield { done, total, label };
        }
      }
      line.hits.push(hits);
      line.hitRatios.push(hits / requests);
    }
    curves.push(line);
  }
  return {
    workload: `${WORKLOAD_LABELS[settings.workload]}${
      settings.workload === 'zipf' ||
      settings.workload === 'scan' ||
      settings.workload === 'shifting'
        ? `, s = ${settings.zipfS}`
        : ''
    }, ${keySpace.toLocaleString('en-US')} keys`,
    requests,
    distinctKeys,
    sizes,
    curves,
  };
}
