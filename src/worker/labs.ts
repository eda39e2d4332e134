/**
 * The simulations the worker can load, each a lazily imported chunk so the worker only pays for
 * the lab that is open.
 */
import type { AnyLabSim } from './runner';

const simLoaders: Record<string, () => Promise<{ default: unknown }>> = {
  'hash-ring': () => import('../labs/hash-ring/sim/index'),
};

export async function loadLabSim(labId: string): Promise<AnyLabSim> {
  const loader = simLoaders[labId];
  if (!loader) throw new Error(`Unknown lab "${labId}".`);
  const module = await loader();
  return module.default as AnyLabSim;
}
